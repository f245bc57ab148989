//! GitHub Actions: `validate.yml` on pull requests, `deploy.yml` on a push to the branch.
//!
//! Typed workflow structs (only the members used), written by kimai-model's YAML writer. Every
//! `uses:` is a pinned commit with its version as a trailing comment ([`crate::pins`]); secrets
//! reach scripts only through `env:` (never `${{ }}` inside `run:`).

use std::collections::BTreeMap;

use kimai_model::yaml::Comments;
use kimai_model::{OutputFile, STARTUP_BUDGET_SECONDS};
use serde::Serialize;

use crate::ordered::Ordered;
use crate::pins::{self, Action};
use crate::plan::{DeployTarget, Env, Plan};
use crate::secrets;
use crate::Error;

#[derive(Serialize)]
struct Workflow {
    name: String,
    on: On,
    permissions: BTreeMap<&'static str, &'static str>,
    jobs: Ordered<Job>,
}

#[derive(Serialize, Default)]
struct On {
    #[serde(skip_serializing_if = "Option::is_none")]
    pull_request: Option<Branches>,
    #[serde(skip_serializing_if = "Option::is_none")]
    push: Option<Branches>,
    #[serde(skip_serializing_if = "Option::is_none")]
    workflow_dispatch: Option<BTreeMap<String, String>>,
}

#[derive(Serialize)]
struct Branches {
    branches: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Job {
    name: String,
    runs_on: &'static str,
    timeout_minutes: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    needs: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<JobEnvironment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    concurrency: Option<Concurrency>,
    #[serde(skip_serializing_if = "Option::is_none")]
    permissions: Option<BTreeMap<&'static str, &'static str>>,
    steps: Vec<Step>,
}

#[derive(Serialize)]
struct JobEnvironment {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct Concurrency {
    group: String,
    cancel_in_progress: bool,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "kebab-case")]
struct Step {
    name: String,
    #[serde(rename = "if", skip_serializing_if = "Option::is_none")]
    if_: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uses: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    with: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    env: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    working_directory: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    run: Option<String>,
}

impl Step {
    fn uses(name: &str, action: Action, with: &[(&str, &str)]) -> Step {
        Step {
            name: name.into(),
            uses: Some(action.uses()),
            with: with
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Step::default()
        }
    }

    fn run(name: &str, lines: &[String]) -> Step {
        Step {
            name: name.into(),
            run: Some(script(lines)),
            ..Step::default()
        }
    }

    fn dir(mut self, dir: &str) -> Step {
        self.working_directory = Some(dir.into());
        self
    }

    fn env(mut self, vars: &[(&str, String)]) -> Step {
        self.env = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        self
    }
}

/// Lines of a `run:` script, one command a line (a block literal in the YAML).
fn script(lines: &[String]) -> String {
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

fn permissions(oidc: bool) -> BTreeMap<&'static str, &'static str> {
    let mut p = BTreeMap::from([("contents", "read")]);
    if oidc {
        p.insert("id-token", "write");
    }
    p
}

fn checkout() -> Step {
    // The job never pushes: no token left in .git/config for later steps to find.
    Step::uses(
        "Check out",
        pins::CHECKOUT,
        &[("persist-credentials", "false")],
    )
}

fn aws_credentials(role_arn: &str, region: &str) -> Step {
    Step::uses(
        "AWS credentials by OIDC (no stored keys)",
        pins::CONFIGURE_AWS_CREDENTIALS,
        &[
            ("role-to-assume", role_arn),
            ("aws-region", region),
            (
                "role-session-name",
                "github-${{ github.run_id }}-${{ github.run_attempt }}",
            ),
        ],
    )
}

fn setup_terraform() -> Step {
    Step::uses(
        "Set up Terraform",
        pins::SETUP_TERRAFORM,
        &[
            ("terraform_version", pins::TERRAFORM_VERSION),
            ("terraform_wrapper", "false"),
        ],
    )
}

fn setup_kubectl() -> Step {
    Step::uses(
        "Set up kubectl",
        pins::SETUP_KUBECTL,
        &[("version", pins::KUBECTL_VERSION)],
    )
}

fn job(name: String, steps: Vec<Step>) -> Job {
    Job {
        name,
        runs_on: pins::RUNNER,
        timeout_minutes: 30,
        needs: Vec::new(),
        environment: None,
        concurrency: None,
        permissions: Some(permissions(false)),
        steps,
    }
}

/// The pull-request workflow.
fn validate(plan: &Plan) -> Workflow {
    let mut jobs = Ordered::default();
    jobs.push(
        "generated",
        job(
            "generated output matches the spec".into(),
            vec![
                checkout(),
                Step::run("generate --check", &[plan.check_command()]),
            ],
        ),
    );
    let kustomizations: Vec<&str> = plan
        .envs
        .iter()
        .filter_map(|e| e.kubernetes.as_deref())
        .collect();
    if !kustomizations.is_empty() {
        let lines: Vec<String> = kustomizations
            .iter()
            .map(|k| format!("kubectl kustomize {k} > /dev/null"))
            .collect();
        jobs.push(
            "kubernetes",
            job(
                "every kustomization builds".into(),
                vec![
                    checkout(),
                    setup_kubectl(),
                    Step::run("kubectl kustomize", &lines),
                ],
            ),
        );
    }
    let ansible: Vec<&str> = plan
        .envs
        .iter()
        .filter_map(|e| e.ansible.as_deref())
        .collect();
    if !ansible.is_empty() {
        let mut steps = vec![
            checkout(),
            Step::run(
                "Install Ansible and ansible-lint",
                &[
                    format!("pipx install --include-deps {}", pins::ANSIBLE_PACKAGE),
                    format!(
                        "pipx inject --include-apps ansible {}",
                        pins::ANSIBLE_LINT_PACKAGE
                    ),
                ],
            ),
        ];
        for dir in ansible {
            steps.push(
                Step::run(
                    &format!("ansible-lint {dir}"),
                    &[
                        "ansible-galaxy collection install -r requirements.yml".into(),
                        "ansible-playbook -i inventory.yml site.yml --syntax-check".into(),
                        "ansible-lint --profile production".into(),
                    ],
                )
                .dir(dir),
            );
        }
        jobs.push("ansible", job("ansible-lint".into(), steps));
    }
    for e in plan.envs.iter().filter(|e| e.terraform.is_some()) {
        let dir = e.terraform.as_deref().unwrap_or_default();
        let mut steps = vec![checkout()];
        let mut j = job(
            format!("terraform plan {}", e.names.ci_environment),
            Vec::new(),
        );
        let mut lines = vec!["terraform fmt -check -recursive".to_string()];
        match (&e.plan_role_arn, &e.region) {
            (Some(role), Some(region)) => {
                steps.push(aws_credentials(role, region));
                lines.extend([
                    "terraform init -input=false".into(),
                    "terraform validate".into(),
                    "terraform plan -input=false -lock=false".into(),
                ]);
                j.permissions = Some(permissions(true));
                // Its own environment, without reviewers: the read-only plan role trusts exactly
                // this subject, never the deploy jobs'.
                j.environment = Some(JobEnvironment {
                    name: e.names.ci_plan_environment.clone(),
                    url: None,
                });
            }
            _ => lines.extend([
                "terraform init -input=false -backend=false".into(),
                "terraform validate".into(),
            ]),
        }
        steps.push(setup_terraform());
        steps.push(Step::run("terraform fmt, validate, plan", &lines).dir(dir));
        j.steps = steps;
        jobs.push(format!("terraform-{}", e.names.ci_environment), j);
    }
    Workflow {
        name: format!("{} validate", plan.app),
        on: On {
            pull_request: Some(Branches {
                branches: vec![plan.delivery.branch.clone()],
            }),
            ..On::default()
        },
        permissions: permissions(false),
        jobs,
    }
}

/// The deploy steps of one environment.
fn deploy_steps(e: &Env) -> Vec<Step> {
    let mut steps = vec![checkout()];
    if let (Some(role), Some(region)) = (&e.role_arn, &e.region) {
        steps.push(aws_credentials(role, region));
    }
    for (target, dir) in &e.deploys {
        match target {
            DeployTarget::Terraform => {
                steps.push(setup_terraform());
                steps.push(
                    Step::run(
                        "terraform plan",
                        &[
                            "terraform init -input=false".into(),
                            "terraform plan -input=false -out=tfplan".into(),
                        ],
                    )
                    .dir(dir),
                );
                // Applies exactly the plan printed above, nothing computed later.
                steps.push(
                    Step::run(
                        "terraform apply (the plan above)",
                        &["terraform apply -input=false tfplan".into()],
                    )
                    .dir(dir),
                );
            }
            DeployTarget::Ecs => {
                let cluster = e.names.ecs_cluster.clone().unwrap_or_default();
                steps.push(
                    Step::run(
                        "ECS: register the task definition, update the service, wait until stable",
                        &[
                            "aws ecs register-task-definition --cli-input-json file://task-definition.json".into(),
                            "aws ecs update-service --cli-input-json file://service-update.json".into(),
                            format!(
                                "aws ecs wait services-stable --cluster {cluster} --services {}",
                                e.names.ecs_service
                            ),
                        ],
                    )
                    .dir(dir),
                );
            }
            DeployTarget::Kubernetes => {
                steps.push(setup_kubectl());
                match &e.eks_cluster {
                    Some(cluster) => steps.push(Step::run(
                        "Cluster credentials (EKS)",
                        &[format!("aws eks update-kubeconfig --name {cluster}")],
                    )),
                    None => steps.push(
                        Step::run(
                            "Cluster credentials (kubeconfig secret)",
                            &[
                                "umask 077".into(),
                                format!(
                                    "printf '%s' \"${}\" | base64 -d > \"$RUNNER_TEMP/kubeconfig\"",
                                    secrets::KUBECONFIG_DATA
                                ),
                                "echo \"KUBECONFIG=$RUNNER_TEMP/kubeconfig\" >> \"$GITHUB_ENV\""
                                    .into(),
                            ],
                        )
                        .env(&[(
                            secrets::KUBECONFIG_DATA,
                            format!("${{{{ secrets.{} }}}}", secrets::KUBECONFIG_DATA),
                        )]),
                    ),
                }
                steps.push(Step::run(
                    "kubectl apply -k, then wait for the rollout",
                    &[
                        format!("kubectl apply -k {dir}"),
                        format!(
                            "kubectl rollout status deployment/{} --namespace {} --timeout={}s",
                            e.names.app,
                            e.names.namespace,
                            rollout_timeout()
                        ),
                    ],
                ));
                if e.eks_cluster.is_none() {
                    steps.push(Step {
                        if_: Some("always()".into()),
                        ..Step::run(
                            "Remove the kubeconfig",
                            &["rm -f \"$RUNNER_TEMP/kubeconfig\"".into()],
                        )
                    });
                }
            }
            DeployTarget::Ansible => {
                steps.push(Step::run(
                    "Install Ansible",
                    &[format!(
                        "pipx install --include-deps {}",
                        pins::ANSIBLE_PACKAGE
                    )],
                ));
                steps.push(
                    Step::run(
                        "SSH key, known hosts and vault password from the environment's secrets",
                        &[
                            "umask 077".into(),
                            "mkdir -p ~/.ssh".into(),
                            format!(
                                "printf '%s\\n' \"${}\" > ~/.ssh/kimai_deploy",
                                secrets::ANSIBLE_SSH_PRIVATE_KEY
                            ),
                            format!(
                                "printf '%s\\n' \"${}\" >> ~/.ssh/known_hosts",
                                secrets::ANSIBLE_KNOWN_HOSTS
                            ),
                            format!(
                                "printf '%s' \"${}\" > \"$RUNNER_TEMP/vault-password\"",
                                secrets::ANSIBLE_VAULT_PASSWORD
                            ),
                        ],
                    )
                    .env(&[
                        (
                            secrets::ANSIBLE_SSH_PRIVATE_KEY,
                            format!("${{{{ secrets.{} }}}}", secrets::ANSIBLE_SSH_PRIVATE_KEY),
                        ),
                        (
                            secrets::ANSIBLE_KNOWN_HOSTS,
                            format!("${{{{ secrets.{} }}}}", secrets::ANSIBLE_KNOWN_HOSTS),
                        ),
                        (
                            secrets::ANSIBLE_VAULT_PASSWORD,
                            format!("${{{{ secrets.{} }}}}", secrets::ANSIBLE_VAULT_PASSWORD),
                        ),
                    ]),
                );
                steps.push(
                    Step::run(
                        "ansible-playbook",
                        &[
                            "ansible-galaxy collection install -r requirements.yml".into(),
                            "ansible-playbook -i inventory.yml site.yml --vault-password-file \"$RUNNER_TEMP/vault-password\" --private-key ~/.ssh/kimai_deploy".into(),
                        ],
                    )
                    .dir(dir),
                );
                steps.push(Step {
                    if_: Some("always()".into()),
                    ..Step::run(
                        "Remove the SSH key and vault password",
                        &["rm -f ~/.ssh/kimai_deploy \"$RUNNER_TEMP/vault-password\"".into()],
                    )
                });
            }
        }
    }
    steps
}

/// Seconds `kubectl rollout status` waits: a replica may take the whole startup budget
/// (first start runs migrations), and a rolling update replaces a few at a time.
fn rollout_timeout() -> u32 {
    STARTUP_BUDGET_SECONDS * 3
}

/// Job id of an environment's deploy job.
pub(crate) fn deploy_job_id(e: &Env) -> String {
    format!("deploy-{}", e.names.ci_environment)
}

/// The deploy workflow.
fn deploy(plan: &Plan) -> Workflow {
    let mut jobs = Ordered::default();
    let envs = plan.deploying();
    for (i, e) in envs.iter().enumerate() {
        let mut j = job(
            format!("deploy {}", e.names.ci_environment),
            deploy_steps(e),
        );
        j.timeout_minutes = 60;
        j.needs = i
            .checked_sub(1)
            .map(|p| deploy_job_id(envs[p]))
            .into_iter()
            .collect();
        // The GitHub environment carries the approval (required reviewers, ci/README.md) and
        // is part of the OIDC subject the deploy role trusts.
        j.environment = Some(JobEnvironment {
            name: e.names.ci_environment.clone(),
            url: Some(e.url.clone()),
        });
        // Two deploys of one environment never overlap; a newer one waits, none is cancelled.
        j.concurrency = Some(Concurrency {
            group: format!("deploy-{}", e.names.stem),
            cancel_in_progress: false,
        });
        j.permissions = Some(permissions(e.role_arn.is_some()));
        jobs.push(deploy_job_id(e), j);
    }
    Workflow {
        name: format!("{} deploy", plan.app),
        on: On {
            push: Some(Branches {
                branches: vec![plan.delivery.branch.clone()],
            }),
            workflow_dispatch: Some(BTreeMap::new()),
            ..On::default()
        },
        permissions: permissions(false),
        jobs,
    }
}

/// `# vX.Y.Z` after every pinned `uses:`.
fn pin_comments(w: &Workflow) -> Comments {
    let mut c = Comments::new();
    for (id, job) in &w.jobs.0 {
        for (i, s) in job.steps.iter().enumerate() {
            if let Some(a) = pins::ACTIONS
                .iter()
                .find(|a| s.uses.as_deref() == Some(a.uses().as_str()))
            {
                c.insert(format!("/jobs/{id}/steps/{i}/uses#"), a.version.into());
            }
        }
    }
    c
}

pub(crate) fn render(plan: &Plan) -> Result<Vec<OutputFile>, Error> {
    let order: Vec<&str> = plan
        .deploying()
        .into_iter()
        .map(|e| e.names.ci_environment.as_str())
        .collect();
    let validate = validate(plan);
    let deploy = deploy(plan);
    let mut files = vec![
        OutputFile::new(
            "github/validate.yml",
            crate::yaml(
                "github/validate.yml",
                &validate,
                &format!(
                    "Pull requests into {}: the committed output matches the spec, and every platform check passes.\nGenerated by kimai-deploy; copy into .github/workflows/. Do not edit.",
                    plan.delivery.branch
                ),
                &pin_comments(&validate),
            )?,
        ),
    ];
    // With every environment on GitOps there is nothing for CI to deploy.
    if !deploy.jobs.0.is_empty() {
        files.push(
        OutputFile::new(
            "github/deploy.yml",
            crate::yaml(
                "github/deploy.yml",
                &deploy,
                &format!(
                    "A push to {} deploys {}, each after the one before succeeded.\n{}Environments, reviewers and secrets: ci/README.md.\nGenerated by kimai-deploy; copy into .github/workflows/. Do not edit.",
                    plan.delivery.branch,
                    order.join(" → "),
                    if plan.envs.iter().any(|e| e.role_arn.is_some()) {
                        "AWS by OIDC role assumption, no stored keys. "
                    } else {
                        ""
                    }
                ),
                &pin_comments(&deploy),
            )?,
        ),
        );
    }
    Ok(files)
}
