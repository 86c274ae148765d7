//! The server's memory and CPU time, read from /proc/<pid> (Linux), and this process's own
//! limits and CPU time.

use std::time::Duration;

/// One look at a process.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    /// resident set size now, bytes
    pub rss: u64,
    /// the highest resident set size since the process started, bytes
    pub hwm: u64,
    /// user + system CPU time since it started
    pub cpu: Duration,
}

/// VmRSS and VmHWM (kB in the file) from the text of /proc/<pid>/status, in bytes.
pub fn parse_status(text: &str) -> Option<(u64, u64)> {
    let field = |name: &str| -> Option<u64> {
        let line = text.lines().find(|l| l.starts_with(name))?;
        let kb: u64 = line[name.len()..].trim().trim_end_matches("kB").trim().parse().ok()?;
        Some(kb * 1024)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// utime + stime (clock ticks) from the text of /proc/<pid>/stat. The command name (field 2)
/// may hold spaces and parentheses, so fields are counted after its last ')'.
pub fn parse_stat_ticks(text: &str) -> Option<u64> {
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // after the name: state is field 3, utime field 14, stime field 15
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

fn ticks_per_sec() -> u64 {
    // SAFETY: sysconf has no preconditions
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as u64
    } else {
        100
    }
}

/// Reads /proc/<pid>/status and /proc/<pid>/stat. None once the process is gone.
pub fn sample(pid: u32) -> Option<Sample> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let (rss, hwm) = parse_status(&status)?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let ticks = parse_stat_ticks(&stat)?;
    let cpu = Duration::from_secs_f64(ticks as f64 / ticks_per_sec() as f64);
    Some(Sample { rss, hwm, cpu })
}

/// The 1-minute load average (/proc/loadavg).
pub fn loadavg() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}

/// The total time some runnable task waited for a CPU (/proc/pressure/cpu, "some" line).
pub fn cpu_pressure() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/pressure/cpu").ok()?;
    parse_pressure_total(&text)
}

pub fn parse_pressure_total(text: &str) -> Option<Duration> {
    let line = text.lines().find(|l| l.starts_with("some "))?;
    let total = line.split_whitespace().find_map(|f| f.strip_prefix("total="))?;
    Some(Duration::from_micros(total.parse().ok()?))
}

/// This process's CPU time (user + system, all threads).
pub fn own_cpu() -> Duration {
    // SAFETY: getrusage writes into the struct we pass
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) } != 0 {
        return Duration::ZERO;
    }
    let tv = |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// Raises the soft limit on open files to at least `want` (up to the hard limit). Returns the
/// soft limit in force afterwards.
pub fn raise_nofile(want: u64) -> u64 {
    // SAFETY: getrlimit/setrlimit read and write the struct we pass
    unsafe {
        let mut l: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut l) != 0 {
            return 0;
        }
        if (l.rlim_cur as u64) < want {
            let target = if l.rlim_max == libc::RLIM_INFINITY { want } else { want.min(l.rlim_max as u64) };
            let new = libc::rlimit { rlim_cur: target as libc::rlim_t, rlim_max: l.rlim_max };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &new) == 0 {
                l.rlim_cur = new.rlim_cur;
            }
        }
        l.rlim_cur as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_stat_are_parsed() {
        let status = "Name:\tnode\nVmPeak:\t  900 kB\nVmHWM:\t   51200 kB\nVmRSS:\t   40960 kB\nThreads:\t7\n";
        assert_eq!(parse_status(status), Some((40960 * 1024, 51200 * 1024)));
        assert_eq!(parse_status("Name:\tx\n"), None);
        // a command name with spaces and a parenthesis
        let stat = "4242 (node (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 7 0 1 2 3";
        assert_eq!(parse_stat_ticks(stat), Some(300));
        let psi = "some avg10=60.29 avg60=53.82 avg300=46.43 total=8787053684\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
        assert_eq!(parse_pressure_total(psi), Some(Duration::from_micros(8787053684)));
        // this very process
        let me = sample(std::process::id()).expect("own /proc entry");
        assert!(me.rss > 0 && me.hwm >= me.rss);
    }
}
