//! Colour: on with `--color always` or `CLICOLOR_FORCE`, off into a pipe by default, with
//! `--color never` and with `NO_COLOR` (which outranks `CLICOLOR_FORCE`); an explicit
//! `--color always` outranks `NO_COLOR`.

mod common;

const ESC: &str = "\u{1b}[";

/// Stdout of a fast reference run with `extra` arguments and `env` set.
fn stdout(extra: &[&str], env: &[(&str, &str)]) -> String {
    let mut args = common::FAST.to_vec();
    args.extend_from_slice(extra);
    let mut certify = common::command(&args);
    certify.command.envs(env.iter().copied());
    let o = certify.command.output().expect("the binary runs");
    assert!(o.status.success(), "{}", common::text(&o));
    String::from_utf8(o.stdout).expect("UTF-8")
}

#[test]
fn color_always_colours_a_pipe() {
    let out = stdout(&["--color", "always"], &[]);
    assert!(out.contains(ESC), "{out}");
    assert!(out.contains("\u{1b}[32m"), "passing counts in green: {out}");
}

#[test]
fn clicolor_force_colours_a_pipe() {
    assert!(stdout(&[], &[("CLICOLOR_FORCE", "1")]).contains(ESC));
}

#[test]
fn a_pipe_is_plain_by_default() {
    assert!(!stdout(&[], &[]).contains('\u{1b}'));
}

#[test]
fn no_color_and_color_never_turn_it_off() {
    for (extra, env) in [
        (&["--color", "never"][..], &[("CLICOLOR_FORCE", "1")][..]),
        (&[][..], &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")][..]),
    ] {
        let out = stdout(extra, env);
        assert!(!out.contains('\u{1b}'), "{extra:?} {env:?}: {out}");
    }
}

#[test]
fn color_always_outranks_no_color() {
    assert!(stdout(&["--color", "always"], &[("NO_COLOR", "1")]).contains(ESC));
}

#[test]
fn reports_in_other_formats_are_never_coloured() {
    let out = stdout(&["--color", "always", "--format", "json"], &[]);
    assert!(!out.contains('\u{1b}'), "{out}");
}
