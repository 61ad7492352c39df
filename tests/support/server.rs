//! Local HTTP(S) servers on 127.0.0.1 that count and record their requests.

use super::*;

#[derive(Debug, Clone)]
pub struct Request {
    /// The request target as sent: a path, or an absolute URL when we act as a proxy.
    pub target: String,
    pub headers: Vec<(String, String)>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Handler = dyn Fn(&Request, &mut dyn Write) + Send + Sync;

/// A server on 127.0.0.1 that hands every request to one closure, which writes the raw
/// response (so tests can send broken, slow or endless ones). When dropped it checks that
/// it was called (unless told it may not be) and that no handler panicked.
pub struct Server {
    addr: SocketAddr,
    scheme: &'static str,
    requests: Arc<Mutex<Vec<Request>>>,
    panics: Arc<Mutex<Vec<String>>>,
    may_be_unused: std::sync::atomic::AtomicBool,
}

impl Drop for Server {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let panics = self.panics.lock().unwrap();
        assert!(panics.is_empty(), "a request handler panicked: {panics:?}");
        assert!(
            self.hits() > 0
                || self
                    .may_be_unused
                    .load(std::sync::atomic::Ordering::Relaxed),
            "the test server at {} was never called (call may_be_unused() if that is the point)",
            self.addr
        );
    }
}

impl Server {
    pub fn http(handler: impl Fn(&Request, &mut dyn Write) + Send + Sync + 'static) -> Server {
        Server::start("http", None, Arc::new(handler))
    }

    pub fn https(
        ca: &TestChain,
        handler: impl Fn(&Request, &mut dyn Write) + Send + Sync + 'static,
    ) -> Server {
        Server::start("https", Some(ca.server_config()), Arc::new(handler))
    }

    /// Serves `body` with status 200 on every path.
    pub fn serving(body: impl Into<Vec<u8>>) -> Server {
        let body = body.into();
        Server::http(move |_, w| respond(w, "200 OK", &[], &body))
    }

    fn start(
        scheme: &'static str,
        tls: Option<Arc<rustls::ServerConfig>>,
        handler: Arc<Handler>,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let panics = Arc::new(Mutex::new(Vec::new()));
        let (seen, panicked) = (requests.clone(), panics.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (handler, seen, tls) = (handler.clone(), seen.clone(), tls.clone());
                let panicked = panicked.clone();
                std::thread::spawn(move || {
                    let run = std::panic::AssertUnwindSafe(|| serve(stream, tls, &*handler, &seen));
                    if let Err(panic) = std::panic::catch_unwind(run) {
                        let message = panic
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default();
                        panicked.lock().unwrap().push(message);
                    }
                });
            }
        });
        Server {
            addr,
            scheme,
            requests,
            panics,
            may_be_unused: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// This server exists to show that nothing calls it.
    pub fn may_be_unused(&self) -> &Server {
        self.may_be_unused
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{}", self.scheme, self.addr, path)
    }

    pub fn hits(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve(
    stream: TcpStream,
    tls: Option<Arc<rustls::ServerConfig>>,
    handler: &Handler,
    seen: &Mutex<Vec<Request>>,
) {
    match tls {
        None => {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut writer = stream;
            // One response per connection (Connection: close) keeps raw handlers simple.
            if let Some(request) = read_request(&mut reader) {
                seen.lock().unwrap().push(request.clone());
                handler(&request, &mut writer);
                let _ = writer.flush();
            }
        }
        Some(config) => {
            let conn = rustls::ServerConnection::new(config).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, stream);
            let request = {
                let mut reader = BufReader::new(&mut tls);
                read_request(&mut reader)
            };
            if let Some(request) = request {
                seen.lock().unwrap().push(request.clone());
                handler(&request, &mut tls);
                tls.conn.send_close_notify();
                let _ = tls.flush();
            }
        }
    }
}

fn read_request(reader: &mut impl BufRead) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let _method = parts.next()?;
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    Some(Request { target, headers })
}

/// Writes a complete response with Content-Length.
pub fn respond(w: &mut dyn Write, status: &str, headers: &[(&str, &str)], body: &[u8]) {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = w.write_all(head.as_bytes());
    let _ = w.write_all(body);
}

/// A port on 127.0.0.1 where nothing listens.
pub fn closed_port_url(path: &str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}{path}")
}
