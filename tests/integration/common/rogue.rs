//! A loopback HTTP server that answers every request with one canned response, after an
//! optional delay, and counts the requests it saw. Used for what the reference endpoint never
//! does on purpose: login pages, oversized bodies, slow answers, foreign redirects. It is also a
//! stand-in proxy, to prove a request was never sent.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

pub struct Rogue {
    pub url: String,
    requests: Arc<AtomicUsize>,
    last_request: Arc<std::sync::Mutex<String>>,
}

impl Rogue {
    pub fn start(response: Vec<u8>, delay: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let last_request = Arc::new(std::sync::Mutex::new(String::new()));
        let (seen, last) = (requests.clone(), last_request.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                seen.fetch_add(1, Ordering::SeqCst);
                let response = response.clone();
                let last = last.clone();
                std::thread::spawn(move || {
                    let mut buf = [0u8; 8192];
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                    let n = stream.read(&mut buf).unwrap_or(0);
                    *last.lock().unwrap() = String::from_utf8_lossy(&buf[..n]).into_owned();
                    std::thread::sleep(delay);
                    let _ = stream.write_all(&response);
                });
            }
        });
        Rogue {
            url,
            requests,
            last_request,
        }
    }

    /// The head (and start of the body) of the last request received.
    pub fn last_request(&self) -> String {
        self.last_request.lock().unwrap().clone()
    }

    /// A complete HTTP/1.1 response.
    pub fn respond(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Self {
        Self::start(http_response(status, headers, body), Duration::ZERO)
    }

    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

pub fn http_response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}
