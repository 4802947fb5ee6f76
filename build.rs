//! Build information for `ai-setup --version`: the commit and its date when built from a git
//! checkout (the commit's date, not the build's, so that builds are reproducible), and the
//! target. Nothing else is generated here.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

fn main() {
    let commit = git(&["rev-parse", "--short=10", "HEAD"]);
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_some();
    let date = git(&["log", "-1", "--format=%cs"]);
    let source = match (commit, date) {
        (Some(commit), Some(date)) => {
            format!("{commit}{} {date}", if dirty { "-modified" } else { "" })
        }
        _ => "source release".into(),
    };
    println!("cargo:rustc-env=AI_SETUP_BUILD_SOURCE={source}");
    println!(
        "cargo:rustc-env=AI_SETUP_BUILD_TARGET={}",
        std::env::var("TARGET").unwrap_or_default()
    );
    println!(
        "cargo:rustc-env=AI_SETUP_BUILD_PROFILE={}",
        std::env::var("PROFILE").unwrap_or_default()
    );
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/index");
}
