//! The process's peak resident memory, as the kernel counts it.

/// The peak resident set size of this process so far, in bytes: `VmHWM` of
/// `/proc/self/status` on Linux. `None` where there is no such file or line (other systems):
/// the figure is then left out, never guessed.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    vm_hwm(&status)
}

/// `VmHWM:   84000 kB` (a tab after the colon) of a `/proc/<pid>/status` text, in bytes.
fn vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
    let mut words = line.split_whitespace();
    let kib: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") => kib.checked_mul(1024),
        _ => None,
    }
}

/// `84 MiB`: `bytes` in whole mebibytes, rounded to the nearest (at least 1 for a non-zero
/// figure).
pub fn mebibytes(bytes: u64) -> String {
    let mib = (bytes + 512 * 1024) / (1024 * 1024);
    format!("{} MiB", mib.max(u64::from(bytes > 0)))
}

#[cfg(test)]
mod tests {
    use super::{mebibytes, vm_hwm};

    #[test]
    fn reads_vm_hwm_in_bytes() {
        let status = "Name:\tnextauth-certify\nVmPeak:\t  300000 kB\nVmHWM:\t   86016 kB\nVmRSS:\t   80000 kB\n";
        assert_eq!(vm_hwm(status), Some(86016 * 1024));
        assert_eq!(vm_hwm("Name:\tx\nVmRSS:\t 1 kB\n"), None);
        assert_eq!(vm_hwm("VmHWM:\t12 MB\n"), None);
    }

    #[test]
    fn prints_mebibytes() {
        assert_eq!(mebibytes(86016 * 1024), "84 MiB");
        assert_eq!(mebibytes(100), "1 MiB");
        assert_eq!(mebibytes(0), "0 MiB");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn linux_has_a_peak() {
        assert!(super::peak_rss_bytes().is_some_and(|b| b > 0));
    }
}
