//! `completions <shell>` and `man` print what clap generates from the command line.

mod common;

fn stdout(args: &[&str]) -> String {
    let o = common::run(args);
    assert!(o.status.success(), "{}", common::text(&o));
    String::from_utf8(o.stdout).expect("UTF-8")
}

#[test]
fn completions_cover_the_subcommands_and_flags() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = stdout(&["completions", shell]);
        assert!(script.contains("nextauth-certify"), "{shell}: {script}");
        assert!(script.contains("format"), "{shell}");
        assert!(script.contains("defects"), "{shell}");
    }
}

#[test]
fn man_prints_a_roff_page() {
    let page = stdout(&["man"]);
    assert!(page.starts_with(".ie"), "{}", &page[..page.len().min(200)]);
    assert!(page.contains(".TH nextauth-certify"), "{page}");
    assert!(page.contains("\\-\\-color"), "{page}");
}
