//! Runs a fleet's checks: at most `jobs` at once in all, and at most `per_server` at once
//! against any one server, so that many targets on one server do not open as many
//! connections there (each a forked PostgreSQL backend; for MySQL, each timeout an aborted
//! connection toward `max_connect_errors`) while other servers wait.
//!
//! One thread per running check: the probes are blocking I/O that mostly waits on the
//! network, and a server that accepts and never answers holds its check until the
//! timeout, so a fleet needs many at once. Servers take turns (round robin), so one
//! server's long queue does not hold back the others.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

/// Stack for each check's thread. A handshake touches about 20 KiB of it; the default
/// 2 MiB would reserve 2 GiB of address space for a thousand checks.
const STACK_BYTES: usize = 256 * 1024;

/// How many checks run at once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// In all.
    pub(crate) jobs: usize,
    /// Against one server (one host and port).
    pub(crate) per_server: usize,
}

/// What `run` did beyond the work: how many ran at once at most, when fewer threads
/// could be started than asked.
pub(crate) struct Ran<R> {
    pub(crate) results: Vec<R>,
    /// Set when the system refused a thread: how many ran at once instead.
    pub(crate) fewer_threads: Option<(usize, usize)>,
}

struct Server {
    pending: VecDeque<usize>,
    running: usize,
    /// In `ready` now.
    queued: bool,
}

struct State {
    servers: Vec<Server>,
    /// Servers with pending work and room for one more check.
    ready: VecDeque<usize>,
    left: usize,
}

/// How many threads are worth starting: no more than `limits.jobs`, nor than the work
/// can use under the per-server limit.
pub(crate) fn useful_workers<K: Eq + std::hash::Hash>(
    keys: impl Iterator<Item = K>,
    limits: Limits,
) -> usize {
    let mut per_key: HashMap<K, usize> = HashMap::new();
    for key in keys {
        *per_key.entry(key).or_default() += 1;
    }
    let usable: usize = per_key
        .values()
        .map(|&n| n.min(limits.per_server.max(1)))
        .sum();
    usable.min(limits.jobs.max(1))
}

/// Runs `check` on every item with `workers` threads (the current thread alone when it is
/// one), at most `per_server` at once for items of the same key. Results come back in the
/// order of `items`.
pub(crate) fn run<T: Sync, K: Eq + std::hash::Hash, R: Send>(
    items: &[T],
    key: impl Fn(&T) -> K,
    workers: usize,
    per_server: usize,
    check: impl Fn(&T) -> R + Sync,
) -> Ran<R> {
    let mut ids: HashMap<K, usize> = HashMap::new();
    let mut servers: Vec<Server> = Vec::new();
    let mut server_of = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let next = servers.len();
        let id = *ids.entry(key(item)).or_insert(next);
        if id == next {
            servers.push(Server {
                pending: VecDeque::new(),
                running: 0,
                queued: true,
            });
        }
        servers[id].pending.push_back(i);
        server_of.push(id);
    }
    drop(ids);
    let state = Mutex::new(State {
        ready: (0..servers.len()).collect(),
        servers,
        left: items.len(),
    });
    let wake = Condvar::new();
    let per_server = per_server.max(1);
    let results: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();

    // The next item to start, if one may start now.
    let take = |s: &mut State| -> Option<usize> {
        let id = s.ready.pop_front()?;
        let server = &mut s.servers[id];
        let i = server.pending.pop_front().expect("a ready server has work");
        server.running += 1;
        let again = !server.pending.is_empty() && server.running < per_server;
        server.queued = again;
        if again {
            s.ready.push_back(id);
        }
        s.left -= 1;
        if s.left == 0 {
            // Nothing more to start: waiting threads can end.
            wake.notify_all();
        }
        Some(i)
    };
    let work = |first: Option<usize>| {
        let mut next = first;
        loop {
            let i = match next.take() {
                Some(i) => i,
                None => {
                    let mut s = state.lock().expect("not poisoned");
                    loop {
                        if let Some(i) = take(&mut s) {
                            break i;
                        }
                        if s.left == 0 {
                            return;
                        }
                        s = wake.wait(s).expect("not poisoned");
                    }
                }
            };
            let result = check(&items[i]);
            *results[i].lock().expect("not poisoned") = Some(result);
            let mut s = state.lock().expect("not poisoned");
            let id = server_of[i];
            let server = &mut s.servers[id];
            server.running -= 1;
            if !server.pending.is_empty() && !server.queued {
                server.queued = true;
                s.ready.push_back(id);
                wake.notify_one();
            }
        }
    };

    let workers = workers.clamp(1, items.len().max(1));
    let mut fewer_threads = None;
    if items.is_empty() {
    } else if workers == 1 {
        work(None);
    } else {
        // Every thread is spawned first, given its first item, and only then let go: a
        // thread already checking would take the CPU from the spawning loop (the kernel
        // shares it per thread), and the last checks, started late, would end late. Let
        // go one by one (unpark), they start together, not queued on one lock.
        const NONE: usize = usize::MAX;
        let firsts: Vec<AtomicUsize> = (0..workers).map(|_| AtomicUsize::new(NONE)).collect();
        let go = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let mut threads = Vec::with_capacity(workers);
            for w in 0..workers {
                let (firsts, go) = (&firsts, &go);
                let spawned = std::thread::Builder::new()
                    .stack_size(STACK_BYTES)
                    .spawn_scoped(scope, move || {
                        while !go.load(Ordering::Acquire) {
                            std::thread::park();
                        }
                        let first = firsts[w].load(Ordering::Acquire);
                        work((first != NONE).then_some(first));
                    });
                match spawned {
                    Ok(thread) => {
                        if let Some(i) = take(&mut state.lock().expect("not poisoned")) {
                            firsts[w].store(i, Ordering::Release);
                        }
                        threads.push(thread);
                    }
                    // The system's thread limit (ulimit -u, a cgroup's pids.max): the
                    // threads already started do the rest.
                    Err(_) => {
                        fewer_threads = Some((threads.len().max(1), workers));
                        break;
                    }
                }
            }
            go.store(true, Ordering::Release);
            for thread in &threads {
                thread.thread().unpark();
            }
            if threads.is_empty() {
                work(None);
            }
        });
    }
    Ran {
        results: results
            .into_iter()
            .map(|slot| {
                slot.into_inner()
                    .expect("not poisoned")
                    .expect("every item ran")
            })
            .collect(),
        fewer_threads,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Runs `keys` (one item each) and returns the most that ran at once, in all and per key.
    /// The first items hold on until `expected` run at once (or 2 s pass), so that reaching
    /// the peak never depends on how threads happen to be scheduled on a loaded machine.
    fn peaks(
        keys: &[u8],
        jobs: usize,
        per_server: usize,
        expected: usize,
    ) -> (usize, HashMap<u8, usize>) {
        let running = AtomicUsize::new(0);
        let peak = AtomicUsize::new(0);
        let per: Mutex<HashMap<u8, (usize, usize)>> = Mutex::new(HashMap::new());
        let limits = Limits { jobs, per_server };
        let workers = useful_workers(keys.iter().copied(), limits);
        let ran = run(
            keys,
            |k| *k,
            workers,
            per_server,
            |k| {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                {
                    let mut per = per.lock().unwrap();
                    let e = per.entry(*k).or_default();
                    e.0 += 1;
                    e.1 = e.1.max(e.0);
                }
                let deadline = std::time::Instant::now() + Duration::from_secs(2);
                while peak.load(Ordering::SeqCst) < expected && std::time::Instant::now() < deadline
                {
                    std::thread::sleep(Duration::from_millis(1));
                }
                std::thread::sleep(Duration::from_millis(2));
                per.lock().unwrap().get_mut(k).unwrap().0 -= 1;
                running.fetch_sub(1, Ordering::SeqCst);
                *k
            },
        );
        assert_eq!(ran.results, keys, "results in the order of the items");
        let per = per.into_inner().unwrap();
        (
            peak.load(Ordering::SeqCst),
            per.into_iter().map(|(k, (_, p))| (k, p)).collect(),
        )
    }

    #[test]
    fn one_server_never_gets_more_than_its_share() {
        let keys = [vec![1u8; 40], vec![2u8; 3]].concat();
        let (peak, per) = peaks(&keys, 64, 4, 7);
        assert_eq!(per[&1], 4);
        assert_eq!(per[&2], 3);
        assert_eq!(peak, 7);
    }

    #[test]
    fn many_servers_run_at_once_up_to_the_global_limit() {
        let keys: Vec<u8> = (0..100).collect();
        let (peak, _) = peaks(&keys, 30, 4, 30);
        assert_eq!(peak, 30);
        let (peak, _) = peaks(&keys, 1000, 4, 100);
        assert_eq!(peak, 100);
    }

    #[test]
    fn a_long_queue_on_one_server_does_not_hold_back_the_others() {
        let keys = [vec![1u8; 30], (2..10).collect()].concat();
        let started: Mutex<Vec<u8>> = Mutex::new(Vec::new());
        run(
            &keys,
            |k| *k,
            2,
            1,
            |k| {
                started.lock().unwrap().push(*k);
                std::thread::sleep(Duration::from_millis(2));
            },
        );
        let started = started.into_inner().unwrap();
        let last_other = started.iter().rposition(|&k| k != 1).unwrap();
        assert!(
            last_other < 20,
            "others waited behind server 1: {started:?}"
        );
    }
}
