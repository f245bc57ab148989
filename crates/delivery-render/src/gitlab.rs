//! GitLab CI: `gitlab-ci.yml` with the stages of the GitHub workflows.
//!
//! Merge requests run the validate stage; a push to the branch deploys one stage per
//! environment, in order. Each deploy job names its environment (protected environments carry
//! the approvers), holds the environment's `resource_group` (no two deploys of one environment
//! at once), and reaches AWS with an `id_tokens` OIDC token exchanged by the AWS CLI/SDK for
//! the deploy role (`AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE`): no stored keys. In an
//! environment that needs approval the first job is `when: manual` and the others wait for it.

use std::collections::BTreeMap;

use kimai_model::delivery::OIDC_AUDIENCE;
use kimai_model::yaml::Comments;
use kimai_model::{OutputFile, STARTUP_BUDGET_SECONDS};
use serde::Serialize;

use crate::ordered::Ordered;
use crate::pins::{self, images};
use crate::plan::{DeployTarget, Env, Plan};
use crate::secrets;
use crate::Error;

#[derive(Serialize)]
struct Pipeline {
    workflow: Workflow,
    stages: Vec<String>,
    #[serde(flatten)]
    jobs: Ordered<Job>,
}

#[derive(Serialize)]
struct Workflow {
    rules: Vec<Rule>,
}

#[derive(Serialize, Clone)]
struct Rule {
    #[serde(rename = "if")]
    if_: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    when: Option<&'static str>,
}

#[derive(Serialize)]
struct Image {
    name: &'static str,
    /// Images whose entrypoint is their tool (`aws`, `terraform`) need it cleared for a shell.
    #[serde(skip_serializing_if = "Option::is_none")]
    entrypoint: Option<Vec<String>>,
}

#[derive(Serialize)]
struct Environment {
    name: String,
    url: String,
    deployment_tier: &'static str,
}

#[derive(Serialize)]
struct IdToken {
    aud: &'static str,
}

#[derive(Serialize)]
struct Job {
    stage: String,
    image: Image,
    #[serde(skip_serializing_if = "Option::is_none")]
    needs: Option<Vec<String>>,
    rules: Vec<Rule>,
    #[serde(skip_serializing_if = "Option::is_none")]
    allow_failure: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<Environment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_group: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    id_tokens: BTreeMap<&'static str, IdToken>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    variables: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    before_script: Vec<String>,
    script: Vec<String>,
}

fn image(name: &'static str, clear_entrypoint: bool) -> Image {
    Image {
        name,
        entrypoint: clear_entrypoint.then(|| vec![String::new()]),
    }
}

fn merge_requests() -> Rule {
    Rule {
        if_: "$CI_PIPELINE_SOURCE == \"merge_request_event\"".into(),
        when: None,
    }
}

fn pushes(branch: &str) -> Rule {
    Rule {
        if_: format!("$CI_COMMIT_BRANCH == \"{branch}\" && $CI_PIPELINE_SOURCE == \"push\""),
        when: None,
    }
}

fn validate_job(img: Image, script: Vec<String>, before: Vec<String>) -> Job {
    Job {
        stage: "validate".into(),
        image: img,
        needs: Some(Vec::new()),
        rules: vec![merge_requests()],
        allow_failure: None,
        environment: None,
        resource_group: None,
        id_tokens: BTreeMap::new(),
        variables: BTreeMap::new(),
        before_script: before,
        script,
    }
}

fn install_ansible(lint: bool) -> Vec<String> {
    let mut pkgs = pins::ANSIBLE_PACKAGE.to_string();
    if lint {
        pkgs.push(' ');
        pkgs.push_str(pins::ANSIBLE_LINT_PACKAGE);
    }
    vec![
        "apt-get update && apt-get install -y --no-install-recommends openssh-client git".into(),
        format!("pip install --no-cache-dir {pkgs}"),
    ]
}

/// GitLab's deployment tier of an environment label.
fn tier(env: &str) -> &'static str {
    match env {
        "production" | "prod" => "production",
        "staging" | "preprod" => "staging",
        "test" | "qa" => "testing",
        "dev" | "development" => "development",
        _ => "other",
    }
}

fn job_id(e: &Env, t: DeployTarget) -> String {
    format!("deploy-{}-{}", e.names.ci_environment, t.as_str())
}

fn stage(e: &Env) -> String {
    format!("deploy-{}", e.names.ci_environment)
}

fn deploy_script(e: &Env, target: DeployTarget, dir: &str) -> (Image, Vec<String>, Vec<String>) {
    match target {
        DeployTarget::Terraform => (
            image(images::TERRAFORM, true),
            Vec::new(),
            vec![
                format!("cd {dir}"),
                "terraform init -input=false".into(),
                "terraform plan -input=false -out=tfplan".into(),
                "terraform apply -input=false tfplan".into(),
            ],
        ),
        DeployTarget::Ecs => (
            image(images::AWS_CLI, true),
            Vec::new(),
            vec![
                format!("cd {dir}"),
                "aws ecs register-task-definition --cli-input-json file://task-definition.json"
                    .into(),
                "aws ecs update-service --cli-input-json file://service-update.json".into(),
                format!(
                    "aws ecs wait services-stable --cluster {} --services {}",
                    e.names.ecs_cluster.clone().unwrap_or_default(),
                    e.names.ecs_service
                ),
            ],
        ),
        DeployTarget::Kubernetes => {
            let before = match &e.eks_cluster {
                Some(c) => vec![format!("aws eks update-kubeconfig --name {c}")],
                // kubectl reads the file variable `KUBECONFIG` itself.
                None => Vec::new(),
            };
            (
                image(images::KUBECTL, false),
                before,
                vec![
                    format!("kubectl apply -k {dir}"),
                    format!(
                        "kubectl rollout status deployment/{} --namespace {} --timeout={}s",
                        e.names.app,
                        e.names.namespace,
                        STARTUP_BUDGET_SECONDS * 3
                    ),
                ],
            )
        }
        DeployTarget::Ansible => {
            let mut before = install_ansible(false);
            before.extend([
                "install -d -m 700 ~/.ssh".to_string(),
                format!(
                    "install -m 600 \"${}\" ~/.ssh/known_hosts",
                    secrets::ANSIBLE_KNOWN_HOSTS
                ),
                format!("chmod 600 \"${}\"", secrets::GITLAB_PRIVATE_KEY_FILE),
            ]);
            (
                image(images::PYTHON, false),
                before,
                vec![
                    format!("cd {dir}"),
                    "ansible-galaxy collection install -r requirements.yml".into(),
                    format!(
                        "ansible-playbook -i inventory.yml site.yml --vault-password-file \"${}\" --private-key \"${}\"",
                        secrets::GITLAB_VAULT_PASSWORD_FILE,
                        secrets::GITLAB_PRIVATE_KEY_FILE
                    ),
                ],
            )
        }
    }
}

pub(crate) fn render(plan: &Plan) -> Result<OutputFile, Error> {
    let branch = &plan.delivery.branch;
    let mut jobs = Ordered::default();
    jobs.push(
        "generated",
        validate_job(
            image(images::RUST, false),
            vec![plan.check_command()],
            Vec::new(),
        ),
    );
    let kustomizations: Vec<String> = plan
        .envs
        .iter()
        .filter_map(|e| e.kubernetes.as_ref())
        .map(|k| format!("kubectl kustomize {k} > /dev/null"))
        .collect();
    if !kustomizations.is_empty() {
        jobs.push(
            "kubernetes",
            validate_job(image(images::KUBECTL, false), kustomizations, Vec::new()),
        );
    }
    let ansible: Vec<String> = plan
        .envs
        .iter()
        .filter_map(|e| e.ansible.as_ref())
        .map(|d| format!("(cd {d} && ansible-galaxy collection install -r requirements.yml && ansible-playbook -i inventory.yml site.yml --syntax-check && ansible-lint --profile production)"))
        .collect();
    if !ansible.is_empty() {
        jobs.push(
            "ansible-lint",
            validate_job(image(images::PYTHON, false), ansible, install_ansible(true)),
        );
    }
    let terraform: Vec<String> = plan
        .envs
        .iter()
        .filter_map(|e| e.terraform.as_ref())
        .map(|d| format!("(cd {d} && terraform fmt -check -recursive && terraform init -input=false -backend=false && terraform validate)"))
        .collect();
    if !terraform.is_empty() {
        jobs.push(
            "terraform",
            validate_job(image(images::TERRAFORM, true), terraform, Vec::new()),
        );
    }
    let mut stages = vec!["validate".to_string()];
    let envs = plan.deploying();
    for (i, e) in envs.iter().enumerate() {
        stages.push(stage(e));
        let previous: Vec<String> = i
            .checked_sub(1)
            .map(|p| envs[p])
            .map(|p| p.deploys.iter().map(|(t, _)| job_id(p, *t)).collect())
            .unwrap_or_default();
        let gate = e.deploys.first().map(|(t, _)| job_id(e, *t));
        for (k, (target, dir)) in e.deploys.iter().enumerate() {
            let (img, mut before, script) = deploy_script(e, *target, dir);
            let mut variables = BTreeMap::new();
            let mut id_tokens = BTreeMap::new();
            let aws = *target != DeployTarget::Ansible
                && (*target != DeployTarget::Kubernetes || e.eks_cluster.is_some());
            if let (true, Some(role), Some(region)) = (aws, &e.role_arn, &e.region) {
                id_tokens.insert(secrets::GITLAB_AWS_ID_TOKEN, IdToken { aud: OIDC_AUDIENCE });
                variables.insert("AWS_ROLE_ARN", role.clone());
                variables.insert("AWS_REGION", region.clone());
                variables.insert("AWS_ROLE_SESSION_NAME", "gitlab-$CI_JOB_ID".into());
                variables.insert(
                    "AWS_WEB_IDENTITY_TOKEN_FILE",
                    "/tmp/aws-web-identity-token".into(),
                );
                before.insert(
                    0,
                    format!(
                        "printf '%s' \"${}\" > \"$AWS_WEB_IDENTITY_TOKEN_FILE\"",
                        secrets::GITLAB_AWS_ID_TOKEN
                    ),
                );
            }
            let first = k == 0;
            let needs = if first {
                previous.clone()
            } else {
                gate.clone().into_iter().collect()
            };
            let manual = first && e.approval;
            jobs.push(
                job_id(e, *target),
                Job {
                    stage: stage(e),
                    image: img,
                    needs: Some(needs),
                    rules: vec![Rule {
                        when: manual.then_some("manual"),
                        ..pushes(branch)
                    }],
                    // A manual job is optional unless told otherwise: the later ones must wait.
                    allow_failure: manual.then_some(false),
                    environment: Some(Environment {
                        name: e.names.ci_environment.clone(),
                        url: e.url.clone(),
                        deployment_tier: tier(&e.names.ci_environment),
                    }),
                    resource_group: Some(e.names.stem.clone()),
                    id_tokens,
                    variables,
                    before_script: before,
                    script,
                },
            );
        }
    }
    let mut workflow_rules = vec![merge_requests(), pushes(branch)];
    workflow_rules.dedup_by(|a, b| a.if_ == b.if_);
    let pipeline = Pipeline {
        workflow: Workflow {
            rules: workflow_rules,
        },
        stages,
        jobs,
    };
    let order: Vec<&str> = plan
        .deploying()
        .into_iter()
        .map(|e| e.names.ci_environment.as_str())
        .collect();
    Ok(OutputFile::new(
        "gitlab-ci.yml",
        crate::yaml(
            "gitlab-ci.yml",
            &pipeline,
            &format!(
                "Merge requests validate; a push to {branch} deploys {} in order.\nAWS by OIDC (id_tokens), no stored keys. Protected environments and variables: ci/README.md.\nGenerated by kimai-deploy; copy to .gitlab-ci.yml. Do not edit.",
                order.join(" → ")
            ),
            &Comments::new(),
        )?,
    ))
}
