"""Every bad input of the federated protocol (docs/federated_protocol.md, "Errors") is refused with its code
and HTTP status, logged, listed in the round's report, and leaves the round as it was: bad or missing
token, a client id of another token, malformed JSON, base64 or fields, the wrong length, NaN/Inf, an
update over the clip norm, a replay of an earlier round's update, a second update for a task, the wrong
round or task id, a client that was not selected."""

from __future__ import annotations

import base64
import copy
import logging

import numpy as np
import pytest

pytest.importorskip("flask")

from federated_run import digit_mlp_bundle

from webgrad.federated.server import Server
from webgrad.federated.validate import encode_update

TOKENS = ["tok-a", "tok-b", "tok-c"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


class Harness:
    """A server with two of three clients selected for round 1, driven through Flask's test client."""

    def __init__(self, bundle, **kwargs):
        self.server = Server(bundle, rounds=3, clients_per_round=2, tokens=TOKENS, round_timeout=600, **kwargs)
        self.http = self.server.app.test_client()
        self.ids = {}
        for t in TOKENS[:2]:
            self.ids[t] = self.http.post("/fl/v1/join", json={"runtime": "python", "numExamples": 10},
                                         headers=bearer(t)).json["clientId"]
        self.next_round()

    def next_round(self):
        self.task("tok-a")  # waiting; tok-b's poll opens the round with both
        self.task("tok-b")
        self.tasks = {t: self.task(t) for t in TOKENS[:2]}
        assert all(task["status"] == "train" for task in self.tasks.values())

    def task(self, token):
        return self.http.get(f"/fl/v1/task?clientId={self.ids[token]}", headers=bearer(token)).json

    def body(self, token, vector=None, **changes):
        task = self.tasks[token]
        n = self.server.update_length
        vector = np.full(n, 1e-4, np.float32) if vector is None else vector
        body = {"clientId": self.ids[token], "taskId": task["taskId"], "round": task["round"], "numExamples": 10,
                "encoding": "float32", "update": encode_update(vector), "clipped": False,
                "metrics": {"loss": 1.0, "accuracy": 0.5}}
        body.update(changes)
        return body

    def post(self, body, token="tok-a", raw=None):
        kwargs = {"data": raw, "content_type": "application/json"} if raw is not None else {"json": body}
        return self.http.post("/fl/v1/update", headers=bearer(token) if token else {}, **kwargs)

    def state(self):
        r = self.server.current
        return (r.number, sorted(r.accepted), self.server.weights.copy(), self.server.version)


@pytest.fixture
def bundle(tmp_path):
    return digit_mlp_bundle(tmp_path / "v0", hidden=4)


@pytest.fixture
def harness(bundle):
    return Harness(bundle)


def refused(harness, response, status, code, caplog):
    assert response.status_code == status, response.json
    assert response.json["error"]["code"] == code and response.json["error"]["message"]
    assert any(code in rec.getMessage() for rec in caplog.records if rec.name == "webgrad.federated")


CASES = {
    # name: (how to break the request, status, code)
    "no token": (lambda h: h.post(h.body("tok-a"), token=None), 401, "EAUTH"),
    "unknown token": (lambda h: h.post(h.body("tok-a"), token="forged"), 401, "EAUTH"),
    "client of another token": (lambda h: h.post(h.body("tok-a"), token="tok-b"), 403, "EAUTH"),
    "not JSON": (lambda h: h.post(None, raw=b"{not json"), 400, "EMALFORMED"),
    "not an object": (lambda h: h.post([1, 2]), 400, "EMALFORMED"),
    "missing field": (lambda h: h.post({k: v for k, v in h.body("tok-a").items() if k != "numExamples"}),
                      400, "EMALFORMED"),
    "round as string": (lambda h: h.post(h.body("tok-a", round="1")), 400, "EMALFORMED"),
    "zero examples": (lambda h: h.post(h.body("tok-a", numExamples=0)), 400, "EMALFORMED"),
    "bad base64": (lambda h: h.post(h.body("tok-a", update="!!!!")), 400, "EMALFORMED"),
    "base64 of 6 bytes": (lambda h: h.post(h.body("tok-a", update=base64.b64encode(b"123456").decode())),
                          400, "EMALFORMED"),
    "unknown encoding": (lambda h: h.post(h.body("tok-a", encoding="float16")), 400, "EMALFORMED"),
    "secagg encoding in a plain round": (lambda h: h.post(h.body("tok-a", encoding="secagg")), 400, "EMALFORMED"),
    "too short": (lambda h: h.post(h.body("tok-a", np.zeros(h.server.update_length - 1, np.float32))),
                  422, "ESHAPE"),
    "too long": (lambda h: h.post(h.body("tok-a", np.zeros(h.server.update_length + 4, np.float32))),
                 422, "ESHAPE"),
    "NaN": (lambda h: h.post(h.body("tok-a", np.where(np.arange(h.server.update_length) == 3, np.nan,
                                                      0).astype(np.float32))), 422, "ENONFINITE"),
    "Inf": (lambda h: h.post(h.body("tok-a", np.full(h.server.update_length, np.inf, np.float32))),
            422, "ENONFINITE"),
    "wrong round": (lambda h: h.post(h.body("tok-a", round=2)), 409, "EROUND"),
    "wrong task id": (lambda h: h.post(h.body("tok-a", taskId="t-1-000000000000")), 409, "EROUND"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_update_is_refused_logged_reported_and_changes_nothing(harness, case, caplog):
    caplog.set_level(logging.INFO, logger="webgrad.federated")
    before = harness.state()
    make, status, code = CASES[case]
    refused(harness, make(harness), status, code, caplog)
    after = harness.state()
    assert before[:2] == after[:2] and np.array_equal(before[2], after[2]) and before[3] == after[3]
    assert harness.server.current.rejected[-1]["code"] == code
    # the round still takes this client's valid update, and completes into a report listing the rejection
    assert harness.post(harness.body("tok-a")).json == {"accepted": True}
    assert harness.post(harness.body("tok-b"), token="tok-b").json == {"accepted": True}
    report = harness.server.status()["reports"][0]
    assert report["participants"] == 2 and code in {r["code"] for r in report["rejected"]}


def test_a_body_larger_than_any_update_is_refused(harness):
    huge = b"{" + b" " * (6 * harness.server.update_length + (1 << 20)) + b"}"
    answer = harness.post(None, raw=huge)
    assert answer.status_code == 413 and answer.json["error"]["code"] == "EMALFORMED"


def test_a_second_update_for_a_task_is_a_duplicate(harness, caplog):
    assert harness.post(harness.body("tok-a")).json == {"accepted": True}
    before = harness.state()
    refused(harness, harness.post(harness.body("tok-a")), 409, "EDUPLICATE", caplog)
    assert before[1] == harness.state()[1]


def test_a_replay_of_an_earlier_rounds_update_is_refused(harness, caplog):
    old = {t: harness.body(t) for t in TOKENS[:2]}
    for t in TOKENS[:2]:
        assert harness.post(old[t], token=t).json == {"accepted": True}
    assert harness.server.version == 1
    harness.next_round()
    assert harness.tasks["tok-a"]["round"] == 2
    refused(harness, harness.post(copy.deepcopy(old["tok-a"])), 409, "EROUND", caplog)
    assert harness.server.current.accepted == {}
    # also with the current round number but the old task id
    refused(harness, harness.post({**old["tok-a"], "round": 2}), 409, "EROUND", caplog)


def test_a_client_that_was_not_selected_is_refused(harness, caplog):
    http = harness.http
    cid = http.post("/fl/v1/join", json={"runtime": "node", "numExamples": 5}, headers=bearer("tok-c")).json
    assert http.get(f"/fl/v1/task?clientId={cid['clientId']}", headers=bearer("tok-c")).json["status"] == "wait"
    body = {**harness.body("tok-a"), "clientId": cid["clientId"]}
    refused(harness, harness.post(body, token="tok-c"), 409, "EROUND", caplog)


def test_an_update_over_the_clip_norm_is_refused(bundle, caplog):
    from webgrad.federated.dp import DPFedAvg

    h = Harness(bundle, dp=DPFedAvg(1.0, clip_norm=0.5, expected_clients_per_round=2))
    assert h.tasks["tok-a"]["clipNorm"] == 0.5
    n = h.server.update_length
    over = np.full(n, 0.5 * (1 + 1e-4) / np.sqrt(n), np.float32)
    refused(h, h.post(h.body("tok-a", over, clipped=True)), 422, "ECLIP", caplog)
    refused(h, h.post({k: v for k, v in h.body("tok-a").items() if k != "clipped"}), 400, "EMALFORMED", caplog)
    at_norm = np.full(n, 0.5 / np.sqrt(n), np.float32)
    assert h.post(h.body("tok-a", at_norm, clipped=True)).json == {"accepted": True}


def test_join_and_task_refuse_bad_requests(harness):
    http = harness.http
    assert http.post("/fl/v1/join", json={"runtime": "python", "numExamples": 1}).status_code == 401
    bad = http.post("/fl/v1/join", json={"runtime": "jvm", "numExamples": 1}, headers=bearer("tok-a"))
    assert bad.status_code == 400 and bad.json["error"]["code"] == "EMALFORMED"
    other = http.get(f"/fl/v1/task?clientId={harness.ids['tok-b']}", headers=bearer("tok-a"))
    assert other.status_code == 403 and other.json["error"]["code"] == "EAUTH"
    assert http.get("/fl/v1/task", headers=bearer("tok-a")).json["error"]["code"] == "EMALFORMED"
    # joining again with the same token keeps the client id
    again = http.post("/fl/v1/join", json={"runtime": "python", "numExamples": 3}, headers=bearer("tok-a"))
    assert again.json["clientId"] == harness.ids["tok-a"]


def test_issued_and_revoked_tokens(bundle, tmp_path):
    from webgrad.federated.tokens import issue_token, revoke_token

    state = tmp_path / "state"
    token = issue_token(state, name="alice")
    assert token not in (state / "tokens.json").read_text()  # only its hash is stored
    server = Server(bundle, rounds=1, clients_per_round=1, checkpoint_dir=state)
    http = server.app.test_client()
    body = {"runtime": "python", "numExamples": 1}
    assert http.post("/fl/v1/join", json=body, headers=bearer(token)).status_code == 200
    late = issue_token(state)  # issued while the server runs
    assert http.post("/fl/v1/join", json=body, headers=bearer(late)).status_code == 200
    assert revoke_token(state, "alice") == 1
    assert http.post("/fl/v1/join", json=body, headers=bearer(token)).json["error"]["code"] == "EAUTH"


def test_secure_aggregation_calls_in_a_plain_round_are_refused(harness, caplog):
    http, cid, task = harness.http, harness.ids["tok-a"], harness.tasks["tok-a"]
    body = {"clientId": cid, "taskId": task["taskId"], "round": 1, "message": {}}
    refused(harness, http.post("/fl/v1/secagg/advertise", json=body, headers=bearer("tok-a")), 409, "ESTATE",
            caplog)
    refused(harness, http.post("/fl/v1/secagg/shares", json={**body, "round": 5}, headers=bearer("tok-a")), 409,
            "EROUND", caplog)
    answer = http.get(f"/fl/v1/secagg/roster?clientId={cid}&round=1", headers=bearer("tok-a"))
    assert answer.status_code == 409 and answer.json["error"]["code"] == "ESTATE"
    answer = http.get(f"/fl/v1/secagg/inbox?clientId={cid}", headers=bearer("tok-a"))
    assert answer.status_code == 400 and answer.json["error"]["code"] == "EMALFORMED"
    assert harness.server.current.accepted == {}
