//! A callback that hears messages as a command runs, and may hold state.

use std::fmt;
use std::sync::Arc;

/// Hears messages (notes, progress) while a command runs. It wraps any closure, so it can
/// collect, count or forward what it hears; `check` calls it from its worker threads,
/// hence `Send + Sync`.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use rootcert::Listener;
///
/// let heard = Arc::new(Mutex::new(Vec::<String>::new()));
/// let sink = Arc::clone(&heard);
/// let notes = Listener::new(move |msg| sink.lock().unwrap().push(msg.to_string()));
/// notes.hear("retrying in 1s");
/// assert_eq!(*heard.lock().unwrap(), ["retrying in 1s"]);
/// ```
#[derive(Clone)]
pub struct Listener(Arc<dyn Fn(&str) + Send + Sync>);

impl Listener {
    /// A listener that calls `f` with each message.
    pub fn new(f: impl Fn(&str) + Send + Sync + 'static) -> Self {
        Listener(Arc::new(f))
    }

    /// Passes one message on.
    pub fn hear(&self, message: &str) {
        (self.0)(message);
    }
}

impl fmt::Debug for Listener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Listener(..)")
    }
}

/// Passes `message` to `listener` when there is one.
pub(crate) fn tell(listener: Option<&Listener>, message: &str) {
    if let Some(listener) = listener {
        listener.hear(message);
    }
}
