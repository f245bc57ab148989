//! The top README's ECS commands are the ones `ecs/README.md` gives for the embedded spec
//! (same flags, `--region` included), and its policy loop covers every scaling policy file.

use kimai_deploy::{load, render, Format, Target};

#[test]
fn readme_ecs_commands_match_the_ecs_note() {
    let readme = include_str!("../README.md");
    let start = readme.find("**AWS ECS** (create").expect("an ECS section");
    let block = &readme[start..];
    let block = &block[block.find("```sh").expect("a command block")..];
    let block = &block[..block[5..].find("```").expect("block end") + 5];
    let model = load(kimai_deploy::DEFAULT_SPEC.as_bytes(), Format::Yaml).expect("default spec");
    let ecs = render(&model, Target::Ecs).expect("ECS renders");
    let note = &ecs.file("README.md").expect("ecs/README.md").contents;
    let mut checked = 0;
    for line in block
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("aws "))
    {
        if line.contains("$policy") {
            let policies: Vec<&str> = ecs
                .files
                .iter()
                .map(|f| f.path.as_str())
                .filter(|p| p.starts_with("scaling-policy-"))
                .collect();
            assert!(!policies.is_empty());
            for p in policies {
                let expanded = line.replace("\"file://$policy\"", &format!("file://{p}"));
                assert!(
                    note.contains(&expanded),
                    "`{expanded}` is not in ecs/README.md"
                );
                checked += 1;
            }
        } else {
            assert!(
                note.contains(line),
                "`{line}` is not in ecs/README.md:\n{note}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 4, "{block}");
}

#[test]
fn examples_readme_lists_every_example() {
    let manifest = include_str!("../Cargo.toml");
    let listing = include_str!("../examples/README.md");
    let mut n = 0;
    for block in manifest.split("[[example]]").skip(1) {
        let name = block
            .lines()
            .find_map(|l| l.trim().strip_prefix("name = "))
            .expect("a name")
            .trim_matches('"');
        assert!(
            listing.contains(&format!("| `{name}` |")),
            "examples/README.md lacks `{name}`"
        );
        n += 1;
    }
    assert!(n >= 8);
}
