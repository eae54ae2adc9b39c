//! A progress bar per backend, one under the other while the backends run at once: drawn on
//! a terminal, silent otherwise (CI logs stay readable).

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// The bars of one run.
pub struct Progress {
    bars: MultiProgress,
}

impl Progress {
    /// Bars on stderr; hidden when stderr is not a terminal or when `quiet`.
    pub fn new(quiet: bool) -> Self {
        let target = if quiet || !std::io::stderr().is_terminal() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        Progress {
            bars: MultiProgress::with_draw_target(target),
        }
    }

    /// A bar over `total` steps for `backend`, below the bars made before it.
    pub fn bar(&self, backend: &str, total: u64) -> Bar {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        let style = ProgressStyle::with_template("{prefix:>12} [{bar:40}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(backend.to_owned());
        Bar {
            bar: self.bars.add(bar),
        }
    }

    /// Runs `f` (which writes to the terminal) with the bars cleared, then redraws them.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bars.suspend(f)
    }
}

/// Progress of one backend's run.
pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    /// One more step done; `message` names it.
    pub fn step(&self, message: &str) {
        self.bar.set_message(message.to_owned());
        self.bar.inc(1);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
