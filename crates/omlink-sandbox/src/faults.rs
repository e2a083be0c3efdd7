//! Answers damaged on purpose (the fault knobs): a reset mid-body, an endless body, a dropped
//! connection.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Frame, SizeHint};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Response, StatusCode};

use crate::Faults;
use crate::response::{Body, full};

/// The complete body the `resetMidBody` answer pretends to send (its `Content-Length`)…
pub(crate) const RESET_DECLARED: &[u8] = br#"{"status":"SYNCED"}"#;

/// …and the part of it actually sent before the connection is aborted.
pub(crate) const RESET_SENT: &[u8] = br#"{"status":"SYN"#;

/// How long the `resetMidBody` answer waits after its partial body, so that hyper flushes it
/// before the error aborts the connection.
pub(crate) const RESET_PAUSE: Duration = Duration::from_millis(50);

/// The `resetMidBody` body: one data frame, a pause, then an error, on which hyper aborts the
/// connection with less than the announced `Content-Length` sent.
pub(crate) struct ResetMidBody {
    sent: Option<Bytes>,
    pause: Pin<Box<tokio::time::Sleep>>,
}

impl ResetMidBody {
    fn new() -> Self {
        Self {
            sent: Some(Bytes::from_static(RESET_SENT)),
            pause: Box::pin(tokio::time::sleep(RESET_PAUSE)),
        }
    }
}

impl hyper::body::Body for ResetMidBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if let Some(data) = self.sent.take() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        match self.pause.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) => Poll::Ready(Some(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "connection reset mid-body by the sandbox's resetMidBody fault",
            )))),
        }
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(RESET_DECLARED.len() as u64)
    }
}

/// The start of the `hugeBodyBytes` body, padded with spaces and never closed.
pub(crate) const HUGE_PREFIX: &[u8] = br#"{"results":["#;

/// The padding the `hugeBodyBytes` body is cut from, shared by every answer.
static PADDING: [u8; 64 * 1024] = [b' '; 64 * 1024];

/// The `hugeBodyBytes` body: `remaining` bytes, sent in static chunks.
pub(crate) struct HugeBody {
    remaining: u64,
    prefix: &'static [u8],
}

impl hyper::body::Body for HugeBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let source: &'static [u8] = if self.prefix.is_empty() {
            &PADDING
        } else {
            self.prefix
        };
        let len = usize::try_from(self.remaining).map_or(source.len(), |r| r.min(source.len()));
        let chunk = &source[..len];
        if !self.prefix.is_empty() {
            self.prefix = &[];
        }
        self.remaining -= len as u64;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(chunk)))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

/// Returned by the service to make hyper close the connection without an answer.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by the sandbox's dropConnection fault")
    }
}

impl std::error::Error for DropConnection {}

/// The answer of the faults that damage an authenticated request's answer, if one is set:
/// `resetMidBody`, `malformedJson` or `hugeBodyBytes`, in that order.
pub(crate) fn damaged_answer(faults: &Faults, method: &Method) -> Option<Response<Body>> {
    let (status, body) = if faults.reset_mid_body {
        (StatusCode::OK, ResetMidBody::new().boxed_unsync())
    } else if faults.malformed_json {
        let status = if *method == Method::POST {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        (status, full(Bytes::from_static(br#"{"status":"SYNCED""#)))
    } else if let Some(len) = faults.huge_body_bytes {
        let body = HugeBody {
            remaining: len,
            prefix: HUGE_PREFIX,
        };
        (StatusCode::OK, body.boxed_unsync())
    } else {
        return None;
    };
    let mut r = Response::new(body);
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Some(r)
}
