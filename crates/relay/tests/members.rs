//! Key rotation and invites over real sockets (relay `members.rs`): a rotation refuses the
//! old token and closes open connections, serves each remaining device its envelope and tells
//! a removed one it was removed; invites expire, are revoked (also by a rotation); malformed
//! requests are refused with a status and a reason.

mod common;

use common::*;
use crm_core::members::{open_envelope, seal_envelope, DeviceKeyPair, InviteSecret, KeyRing};
use crm_core::{VersionVector, WorkspaceSecret};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

fn hex(b: &[u8]) -> String {
    crm_core::ids::to_hex(b)
}

/// One request with an optional bearer token and JSON body.
async fn call(relay: &Relay, method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> HttpResponse {
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let body = body.unwrap_or("");
    relay
        .http(&format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{auth}\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ))
        .await
}

/// POSTs a body over the limit, ignoring a write cut short by the relay, and returns the
/// status it answered with.
async fn oversized(relay: &Relay, path: &str, token: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    step("oversized request", async {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", relay.port)).await.unwrap();
        let body = vec![b'0'; 2 * 1024 * 1024];
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let _ = s.write_all(head.as_bytes()).await;
        let _ = s.write_all(&body).await;
        let mut got = Vec::new();
        let _ = s.read_to_end(&mut got).await;
        let text = String::from_utf8_lossy(&got);
        text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or_else(|| panic!("no status line in {text:?}"))
    })
    .await
}

fn json(r: &HttpResponse) -> serde_json::Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.text()))
}

fn rotate_body(ring: &KeyRing, envelopes: &[(crm_core::DeviceId, &DeviceKeyPair)]) -> String {
    let envs: serde_json::Map<String, serde_json::Value> = envelopes
        .iter()
        .map(|(d, k)| (d.to_string(), serde_json::Value::String(hex(&seal_envelope(ring, d, &k.public())))))
        .collect();
    serde_json::json!({
        "epoch": ring.epoch(),
        "token_hash": hex(&ring.keys().token.hash()),
        "envelopes": envs,
    })
    .to_string()
}

/// A new workspace that never rotated, registered by a first sync connection: its ring,
/// keys, id and token.
async fn registered(relay: &Relay) -> (KeyRing, crm_core::WorkspaceKeys, String, String) {
    let ring = KeyRing::genesis(WorkspaceSecret::generate());
    let k = ring.keys();
    relay.connect(&k).await.hello(&VersionVector::new()).await;
    let (ws, token) = (k.workspace.to_string(), k.token.to_hex());
    (ring, k, ws, token)
}

async fn refused_upgrade(relay: &Relay, keys: &crm_core::WorkspaceKeys) -> (u16, String) {
    let protocols = format!("crm-sync.v1, auth.{}", keys.token.to_hex());
    match relay.try_connect(&keys.workspace.to_string(), Some(&protocols)).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => (
            resp.status().as_u16(),
            resp.body().as_ref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default(),
        ),
        Ok(_) => panic!("the upgrade was accepted"),
        Err(e) => panic!("unexpected error {e}"),
    }
}

#[tokio::test]
async fn a_rotation_refuses_the_old_token_and_hands_the_new_key_only_to_remaining_devices() {
    bounded(90, async {
        let relay = Relay::fresh().await;
        let ring0 = KeyRing::genesis(WorkspaceSecret::generate());
        let k0 = ring0.keys();
        let ws = k0.workspace.to_string();
        let (da, db, dc) = (device(1), device(2), device(3));
        let (ka, kb, kc) = (DeviceKeyPair::generate(), DeviceKeyPair::generate(), DeviceKeyPair::generate());
        let _ = kb;
        // A and B are connected with the epoch-0 token (the first registers the workspace)
        let mut a = relay.connect(&k0).await;
        a.hello(&VersionVector::new()).await;
        let mut b = relay.connect(&k0).await;
        b.hello(&VersionVector::new()).await;

        // A removes B: epoch 1, envelopes for A and C (offline), none for B
        let ring1 = ring0.rotate();
        let r = call(&relay, "POST", &format!("/workspaces/{ws}/rotate"), Some(&k0.token.to_hex()), Some(&rotate_body(&ring1, &[(da, &ka), (dc, &kc)]))).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(json(&r)["epoch"], 1);

        // every open connection is closed with the rotation's code and reason
        for peer in [&mut a, &mut b] {
            let closed = peer.closed().await;
            let frame = closed.frame.expect("a close frame");
            assert_eq!(u16::from(frame.code), 4001);
            assert!(frame.reason.contains("rotated"), "{}", frame.reason);
        }
        // the old token no longer opens the sync socket, and the reason says why
        let (status, why) = refused_upgrade(&relay, &k0).await;
        assert_eq!(status, 401);
        assert!(why.contains("replaced") && why.contains("rotated"), "{why}");
        // the new one does
        let k1 = ring1.keys();
        let mut a1 = relay.connect(&k1).await;
        a1.hello(&VersionVector::new()).await;

        // an old-token holder with an envelope gets it and opens the new ring
        let key = |d: crm_core::DeviceId, token: &str| {
            let path = format!("/workspaces/{ws}/key?device={d}");
            let token = token.to_string();
            let relay = &relay;
            async move { call(relay, "GET", &path, Some(&token), None).await }
        };
        let r = key(dc, &k0.token.to_hex()).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let body = json(&r);
        assert_eq!((body["epoch"].as_u64(), body["current"].as_bool()), (Some(1), Some(false)));
        let env = crm_core::members::hex_bytes(body["envelope"].as_str().unwrap()).unwrap();
        assert_eq!(open_envelope(&env, &kc, &dc, &k0.workspace).unwrap(), ring1);
        // the removed device gets none, and is told so
        let r = key(db, &k0.token.to_hex()).await;
        assert_eq!(r.status, 403);
        assert_eq!(r.text(), "this device was removed from the workspace");
        // B pretending to be C gets C's envelope, which it cannot open
        assert!(open_envelope(&env, &kb, &dc, &k0.workspace).is_err());
        // the current token is current; a foreign one is wrong
        let r = key(da, &k1.token.to_hex()).await;
        assert_eq!((r.status, json(&r)["current"].as_bool()), (200, Some(true)));
        let r = key(da, &WorkspaceSecret::generate().keys().token.to_hex()).await;
        assert_eq!(r.status, 401);

        // a rotation with the old token, or one that lost a race, is refused
        let ring2 = ring1.rotate();
        let r = call(&relay, "POST", &format!("/workspaces/{ws}/rotate"), Some(&k0.token.to_hex()), Some(&rotate_body(&ring2, &[(da, &ka)]))).await;
        assert_eq!(r.status, 401);
        assert!(r.text().contains("replaced"), "{}", r.text());
        let stale = ring0.rotate();
        let r = call(&relay, "POST", &format!("/workspaces/{ws}/rotate"), Some(&k1.token.to_hex()), Some(&rotate_body(&stale, &[(da, &ka)]))).await;
        assert_eq!(r.status, 409, "{}", r.text());
        assert!(r.text().contains("rotated meanwhile"), "{}", r.text());

        // a second rotation (C removed too): C's epoch-1 envelope no longer helps it
        let r = call(&relay, "POST", &format!("/workspaces/{ws}/rotate"), Some(&k1.token.to_hex()), Some(&rotate_body(&ring2, &[(da, &ka)]))).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let closed = a1.closed().await;
        assert_eq!(u16::from(closed.frame.unwrap().code), 4001);
        assert_eq!(key(dc, &k1.token.to_hex()).await.status, 403);
        assert_eq!(key(dc, &k0.token.to_hex()).await.status, 403);
        let r = key(da, &k0.token.to_hex()).await;
        assert_eq!(r.status, 200);
        let env = crm_core::members::hex_bytes(json(&r)["envelope"].as_str().unwrap()).unwrap();
        assert_eq!(open_envelope(&env, &ka, &da, &k0.workspace).unwrap(), ring2);
        let mut a2 = relay.connect(&ring2.keys()).await;
        a2.hello(&VersionVector::new()).await;
    })
    .await;
}

#[tokio::test]
async fn invites_are_redeemed_until_they_expire_or_are_revoked_and_a_rotation_revokes_them() {
    bounded(90, async {
        let relay = Relay::fresh().await;
        let (ring, k, ws, token) = registered(&relay).await;
        let make = |expires_at: i64| {
            let inv = InviteSecret::generate();
            let ik = inv.keys();
            let body = serde_json::json!({
                "id": ik.id_hex(),
                "token_hash": hex(&ik.token.hash()),
                "expires_at": expires_at,
                "envelope": hex(&ik.seal_ring(&ring)),
            })
            .to_string();
            (inv, body)
        };
        let redeem = |inv: &InviteSecret| {
            let ik = inv.keys();
            let relay = &relay;
            async move { call(relay, "GET", &format!("/invites/{}", ik.id_hex()), Some(&ik.token.to_hex()), None).await }
        };

        let (week, body) = make(now_ms() + 7 * 24 * 3600 * 1000);
        let r = call(&relay, "POST", &format!("/workspaces/{ws}/invites"), Some(&token), Some(&body)).await;
        assert_eq!(r.status, 201, "{}", r.text());
        // the same id twice is refused
        let r = call(&relay, "POST", &format!("/workspaces/{ws}/invites"), Some(&token), Some(&body)).await;
        assert_eq!(r.status, 409);
        let r = redeem(&week).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let got = json(&r);
        assert_eq!(got["workspace"], ws);
        let env = crm_core::members::hex_bytes(got["envelope"].as_str().unwrap()).unwrap();
        assert_eq!(week.keys().open_ring(&env).unwrap(), ring);
        // redeeming with another token is refused; an unknown invite is unknown
        let wrong = call(&relay, "GET", &format!("/invites/{}", week.keys().id_hex()), Some(&token), None).await;
        assert_eq!(wrong.status, 401);
        assert_eq!(redeem(&InviteSecret::generate()).await.status, 404);

        // listed while outstanding; revoked, it is refused with a reason and not listed
        let list = call(&relay, "GET", &format!("/workspaces/{ws}/invites"), Some(&token), None).await;
        assert_eq!(json(&list)["invites"].as_array().unwrap().len(), 1);
        let path = format!("/workspaces/{ws}/invites/{}", week.keys().id_hex());
        assert_eq!(call(&relay, "DELETE", &path, Some(&token), None).await.status, 204);
        let r = redeem(&week).await;
        assert_eq!((r.status, r.text().as_str()), (410, "this invite was revoked"));
        let list = call(&relay, "GET", &format!("/workspaces/{ws}/invites"), Some(&token), None).await;
        assert!(json(&list)["invites"].as_array().unwrap().is_empty());
        let other = format!("/workspaces/{ws}/invites/{}", InviteSecret::generate().keys().id_hex());
        assert_eq!(call(&relay, "DELETE", &other, Some(&token), None).await.status, 404);

        // one that expires shortly works, then is refused as expired
        let (brief, body) = make(now_ms() + 1500);
        assert_eq!(call(&relay, "POST", &format!("/workspaces/{ws}/invites"), Some(&token), Some(&body)).await.status, 201);
        assert_eq!(redeem(&brief).await.status, 200);
        tokio::time::sleep(Duration::from_millis(1700)).await;
        let r = redeem(&brief).await;
        assert_eq!((r.status, r.text().as_str()), (410, "this invite has expired"));

        // a rotation revokes every outstanding invite: they carry the old ring
        let (month, body) = make(now_ms() + 30 * 24 * 3600 * 1000);
        assert_eq!(call(&relay, "POST", &format!("/workspaces/{ws}/invites"), Some(&token), Some(&body)).await.status, 201);
        let me = DeviceKeyPair::generate();
        let r = call(&relay, "POST", &format!("/workspaces/{ws}/rotate"), Some(&token), Some(&rotate_body(&ring.rotate(), &[(device(1), &me)]))).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(redeem(&month).await.status, 410);
        // and the old token may no longer make or list invites
        let r = call(&relay, "GET", &format!("/workspaces/{ws}/invites"), Some(&token), None).await;
        assert_eq!(r.status, 401);
    })
    .await;
}

#[tokio::test]
async fn malformed_member_requests_are_refused_with_a_reason() {
    bounded(60, async {
        let relay = Relay::fresh().await;
        let (ring, k, ws, token) = registered(&relay).await;
        let rotate = format!("/workspaces/{ws}/rotate");
        let invites = format!("/workspaces/{ws}/invites");
        let expect = |r: HttpResponse, status: u16, words: &str| {
            assert_eq!(r.status, status, "{}", r.text());
            assert!(r.text().contains(words), "{:?} should contain {words:?}", r.text());
        };

        expect(call(&relay, "POST", &rotate, None, Some("{}")).await, 401, "Authorization");
        expect(call(&relay, "POST", &rotate, Some("xyz"), Some("{}")).await, 401, "malformed");
        expect(call(&relay, "POST", "/workspaces/NOT-HEX/rotate", Some(&token), Some("{}")).await, 400, "workspace id");
        expect(call(&relay, "POST", &rotate, Some(&token), Some("not json")).await, 400, "JSON");
        expect(call(&relay, "POST", &rotate, Some(&token), Some(r#"{"epoch":1,"token_hash":"ab","envelopes":{}}"#)).await, 400, "token_hash");
        let h = "ab".repeat(32);
        expect(call(&relay, "POST", &rotate, Some(&token), Some(&format!(r#"{{"epoch":1,"token_hash":"{h}","envelopes":{{}}}}"#))).await, 400, "at least one device");
        expect(
            call(&relay, "POST", &rotate, Some(&token), Some(&format!(r#"{{"epoch":1,"token_hash":"{h}","envelopes":{{"zz":"00"}}}}"#))).await,
            400,
            "device id",
        );
        let d = device(1).to_string();
        expect(
            call(&relay, "POST", &rotate, Some(&token), Some(&format!(r#"{{"epoch":1,"token_hash":"{h}","envelopes":{{"{d}":"0011"}}}}"#))).await,
            400,
            "too short",
        );
        expect(
            call(&relay, "POST", &rotate, Some(&token), Some(&format!(r#"{{"epoch":1,"token_hash":"{h}","envelopes":{{}},"extra":1}}"#))).await,
            400,
            "unknown field",
        );
        // a body over the limit is refused (the relay may stop reading it half-way)
        let status = oversized(&relay, &rotate, &token).await;
        assert_eq!(status, 413);
        // nothing was rotated by any of these
        assert!(relay.try_connect(&ws, Some(&format!("crm-sync.v1, auth.{token}"))).await.is_ok());

        let inv = InviteSecret::generate().keys();
        let invite = |expires_at: i64, envelope: &str| {
            serde_json::json!({ "id": inv.id_hex(), "token_hash": hex(&inv.token.hash()), "expires_at": expires_at, "envelope": envelope })
                .to_string()
        };
        let env = hex(&inv.seal_ring(&ring));
        expect(call(&relay, "POST", &invites, Some(&token), Some(&invite(now_ms() - 1, &env))).await, 400, "past");
        expect(call(&relay, "POST", &invites, Some(&token), Some(&invite(now_ms() + 100 * 24 * 3600 * 1000, &env))).await, 400, "90 days");
        expect(call(&relay, "POST", &invites, Some(&token), Some(&invite(now_ms() + 60_000, "zz"))).await, 400, "not hex");
        let foreign = WorkspaceSecret::generate().keys().token.to_hex();
        expect(call(&relay, "POST", &invites, Some(&foreign), Some(&invite(now_ms() + 60_000, &env))).await, 401, "wrong auth token");
        expect(call(&relay, "GET", "/invites/short", Some(&token), None).await, 400, "invite id");
        expect(call(&relay, "GET", &format!("/workspaces/{ws}/key"), Some(&token), None).await, 400, "device");
        let unknown = WorkspaceSecret::generate().keys();
        expect(
            call(&relay, "GET", &format!("/workspaces/{}/key?device={d}", unknown.workspace), Some(&token), None).await,
            404,
            "unknown",
        );
    })
    .await;
}
