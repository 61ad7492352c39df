//! The exporter's own /metrics: probes by module and verdict, rejected probes, probes in
//! flight, and the process's memory, files and CPU.

use std::sync::atomic::Ordering;

use super::{State, VERDICTS};
use crate::cmd::metrics::{Exposition, Kind};

/// The exporter's own metrics.
pub(super) fn own_metrics(state: &State) -> Exposition {
    let mut m = Exposition::default();
    for (module, counts) in &state.answered {
        for (verdict, count) in VERDICTS.iter().zip(counts) {
            m.sample(
                "rootcert_exporter_probes_total",
                "Probes answered, by module and verdict.",
                Kind::Counter,
                &[("module", module), ("verdict", verdict)],
                count.load(Ordering::Relaxed) as f64,
            );
        }
    }
    for (reason, count) in [("bad_request", &state.bad_requests), ("busy", &state.busy)] {
        m.sample(
            "rootcert_exporter_probes_rejected_total",
            "Probe requests refused: bad_request (400) or busy (503, no slot before the deadline).",
            Kind::Counter,
            &[("reason", reason)],
            count.load(Ordering::Relaxed) as f64,
        );
    }
    m.gauge(
        "rootcert_exporter_probes_in_flight",
        "Probes running now.",
        &[],
        state.jobs.saturating_sub(state.probes.available_permits()) as f64,
    );
    m.gauge(
        "rootcert_exporter_build_info",
        "The exporter's version.",
        &[("version", env!("CARGO_PKG_VERSION"))],
        1.0,
    );
    process_metrics(&mut m, state.started);
    m
}

/// The process collector's usual families (as every Prometheus client library names
/// them), read from /proc.
fn process_metrics(m: &mut Exposition, started: std::time::SystemTime) {
    if let Ok(since) = started.duration_since(std::time::UNIX_EPOCH) {
        m.gauge(
            "process_start_time_seconds",
            "Start time of the process since unix epoch in seconds.",
            &[],
            since.as_secs() as f64,
        );
    }
    #[cfg(target_os = "linux")]
    {
        if let Ok(status) = std::fs::read_to_string("/proc/self/status")
            && let Some(kib) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        {
            m.gauge(
                "process_resident_memory_bytes",
                "Resident memory size in bytes.",
                &[],
                kib * 1024.0,
            );
        }
        if let Ok(fds) = std::fs::read_dir("/proc/self/fd") {
            m.gauge(
                "process_open_fds",
                "Number of open file descriptors.",
                &[],
                fds.count() as f64,
            );
        }
        let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
        if let Some(max) = limit.current {
            m.gauge(
                "process_max_fds",
                "Maximum number of open file descriptors.",
                &[],
                max as f64,
            );
        }
        // utime and stime, fields 14 and 15 of /proc/self/stat, in clock ticks.
        if let Ok(stat) = std::fs::read_to_string("/proc/self/stat")
            && let Some(after_name) = stat.rsplit_once(')').map(|(_, rest)| rest)
        {
            let fields: Vec<&str> = after_name.split_whitespace().collect();
            let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
            // SAFETY: sysconf only reads a constant.
            let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
            if let (Some(user), Some(system)) = (ticks(11), ticks(12))
                && per_second > 0.0
            {
                m.sample(
                    "process_cpu_seconds_total",
                    "Total user and system CPU time spent in seconds.",
                    Kind::Counter,
                    &[],
                    (user + system) / per_second,
                );
            }
        }
    }
}
