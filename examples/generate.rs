//! `cargo run --example generate -- [--spec FILE|-] [--out DIR] [--target all|compose|k8s|ecs|ansible|terraform|ci|gitops] [--check]`
//!
//! The contract's entry point. It is the installed `kimai-deploy` command (one implementation,
//! [`kimai_deploy::cli`]): see `--help` for examples and exit codes. A multi-environment file
//! (`base` + `environments`) renders to `OUT/<environment>/<target>/`, plus
//! `OUT/kustomize/{base,overlays/<environment>}` for Kubernetes.

fn main() -> std::process::ExitCode {
    kimai_deploy::cli::main()
}
