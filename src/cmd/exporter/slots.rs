//! At most `per_server` probes at once against one server.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::Notify;

use super::State;

/// Probes at once per server, waited for until a deadline. An entry lives only while a
/// probe of its server runs, so the map stays as small as the probes in flight, whatever
/// targets come.
pub(super) struct ServerSlots {
    limit: usize,
    busy: Mutex<HashMap<String, usize>>,
    freed: Notify,
}

impl ServerSlots {
    pub(super) fn new(limit: usize) -> ServerSlots {
        ServerSlots {
            limit,
            busy: Mutex::new(HashMap::new()),
            freed: Notify::new(),
        }
    }
}

/// One probe's place at its server, given back when dropped.
pub(super) struct Slot {
    state: Arc<State>,
    server: String,
}

impl Slot {
    pub(super) async fn acquire(
        state: &Arc<State>,
        server: String,
        deadline: Instant,
    ) -> Option<Slot> {
        let slots = &state.servers;
        loop {
            // Registered before looking, so a slot freed in between is not missed.
            let freed = slots.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            {
                let mut busy = slots.busy.lock().expect("not poisoned");
                let running = busy.entry(server.clone()).or_default();
                if *running < slots.limit {
                    *running += 1;
                    return Some(Slot {
                        state: state.clone(),
                        server,
                    });
                }
            }
            tokio::time::timeout_at(deadline.into(), freed).await.ok()?;
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let slots = &self.state.servers;
        let mut busy = slots.busy.lock().expect("not poisoned");
        if let Some(running) = busy.get_mut(&self.server) {
            *running -= 1;
            if *running == 0 {
                busy.remove(&self.server);
            }
        }
        drop(busy);
        slots.freed.notify_waiters();
    }
}
