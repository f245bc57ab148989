//! `kimai-deploy`: the command of contract §2 (`cargo install --path .`), the same
//! implementation as `cargo run --example generate` ([`kimai_deploy::cli`]).

fn main() -> std::process::ExitCode {
    kimai_deploy::cli::main()
}
