//! Environments whose platform comes from Terraform: pull requests plan with the read-only
//! plan role in the plan environment; deploys plan with `-out`, apply exactly that plan, and
//! only then update ECS; on GitLab the environment's other jobs wait for its Terraform job.

use delivery_render::{render_ci, Environment, Options};
use kimai_model::delivery::{deploy_role_arn, plan_role_arn};
use kimai_model::{load_all, Format, Validated};
use serde_yaml::Value;

const FILE: &str = r#"
base:
  name: kimai
  ingress: { host: kimai.example.com }
  aws: { region: eu-west-1, account_id: "123456789012" }
  database: { mode: external, host: db.example.internal }
  storage: { class: efs, efs: { file_system_id: fs-0123456789abcdef0 } }
  targets:
    ecs:
      cluster: kimai
      subnets: [subnet-0123456789abcdef0]
      security_groups: [sg-0123456789abcdef0]
  delivery:
    repository: https://github.com/example/kimai.git
    reviewers: [octocat]
    github: { repository: example/kimai }
    gitlab: { project: example/kimai }
environments:
  staging: {}
  production: {}
"#;

fn models() -> Vec<Validated> {
    load_all(FILE.as_bytes(), Format::Yaml).expect("valid")
}

fn envs(models: &[Validated]) -> Vec<Environment<'_>> {
    models
        .iter()
        .map(|m| Environment {
            terraform: Some(format!("out/{}/terraform", m.environment())),
            ecs: Some(format!("out/{}/ecs", m.environment())),
            ..Environment::new(m)
        })
        .collect()
}

fn doc(r: &kimai_model::Rendered, path: &str) -> Value {
    serde_yaml::from_str(&r.file(path).expect(path).contents).expect("YAML")
}

#[test]
fn deploy_applies_the_plan_it_printed_before_ecs() {
    let models = models();
    let ci = render_ci(&envs(&models), &Options::default()).expect("renders");
    let deploy = doc(&ci, "github/deploy.yml");
    for m in &models {
        let job = &deploy["jobs"][format!("deploy-{}", m.environment()).as_str()];
        let runs: Vec<&str> = job["steps"]
            .as_sequence()
            .expect("steps")
            .iter()
            .filter_map(|s| s["run"].as_str())
            .collect();
        let at = |needle: &str| {
            runs.iter()
                .position(|r| r.contains(needle))
                .unwrap_or_else(|| panic!("{needle} in {runs:?}"))
        };
        assert!(
            at("terraform plan -input=false -out=tfplan")
                < at("terraform apply -input=false tfplan")
        );
        assert!(at("terraform apply -input=false tfplan") < at("aws ecs update-service"));
        let role = job["steps"]
            .as_sequence()
            .expect("steps")
            .iter()
            .find_map(|s| s["with"]["role-to-assume"].as_str())
            .expect("role");
        assert_eq!(Some(role.to_string()), deploy_role_arn(m));
    }
}

#[test]
fn pull_requests_plan_with_the_plan_role_in_the_plan_environment() {
    let models = models();
    let ci = render_ci(&envs(&models), &Options::default()).expect("renders");
    let validate = doc(&ci, "github/validate.yml");
    for m in &models {
        let job = &validate["jobs"][format!("terraform-{}", m.environment()).as_str()];
        assert_eq!(
            job["environment"]["name"].as_str(),
            Some(m.names().ci_plan_environment.as_str())
        );
        assert_eq!(job["permissions"]["id-token"].as_str(), Some("write"));
        let steps = job["steps"].as_sequence().expect("steps");
        let role = steps
            .iter()
            .find_map(|s| s["with"]["role-to-assume"].as_str())
            .expect("role");
        assert_eq!(Some(role.to_string()), plan_role_arn(m));
        let script = steps.last().and_then(|s| s["run"].as_str()).expect("run");
        for cmd in [
            "terraform fmt -check",
            "terraform validate",
            "terraform plan",
        ] {
            assert!(script.contains(cmd), "{script}");
        }
        assert!(!script.contains("apply"), "{script}");
    }
}

#[test]
fn gitlab_jobs_of_an_environment_wait_for_its_terraform_job() {
    let models = models();
    let ci = render_ci(&envs(&models), &Options::default()).expect("renders");
    let gl = doc(&ci, "gitlab-ci.yml");
    let needs = |job: &str| -> Vec<String> {
        gl[job]["needs"]
            .as_sequence()
            .expect("needs")
            .iter()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect()
    };
    assert_eq!(needs("deploy-staging-terraform"), Vec::<String>::new());
    assert_eq!(needs("deploy-staging-ecs"), ["deploy-staging-terraform"]);
    assert_eq!(
        needs("deploy-production-terraform"),
        ["deploy-staging-terraform", "deploy-staging-ecs"]
    );
    assert_eq!(
        needs("deploy-production-ecs"),
        ["deploy-production-terraform"]
    );
    assert_eq!(
        gl["deploy-production-terraform"]["rules"][0]["when"].as_str(),
        Some("manual")
    );
    assert!(gl["deploy-staging-terraform"]["rules"][0]["when"].is_null());
    for job in ["deploy-production-terraform", "deploy-production-ecs"] {
        assert_eq!(
            gl[job]["id_tokens"]["AWS_ID_TOKEN"]["aud"].as_str(),
            Some(kimai_model::delivery::OIDC_AUDIENCE)
        );
        assert_eq!(
            gl[job]["variables"]["AWS_ROLE_ARN"]
                .as_str()
                .map(str::to_string),
            deploy_role_arn(&models[0])
        );
    }
}
