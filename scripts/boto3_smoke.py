#!/usr/bin/env python3
"""Drive an orgconform reference target with boto3 and print what it saw.

Usage: boto3_smoke.py ENDPOINT_URL [ACCOUNT_PREFIX]

Runs the handshake round trip (create an organization, invite, list,
accept, accept again, decline and cancel fresh invitations, a malformed id,
an unknown well-formed id, a wrongly typed member) with one boto3 client per
account and prints one JSON object of observations on stdout. It asserts
nothing itself: cmd/runner/serve_test.go checks the observations. Exit
status 0 unless something unexpected (a transport failure, an error where
the call should work) happened; details go to stderr.

Accounts are 12-digit access key ids (the target's LocalStack convention);
ACCOUNT_PREFIX (three digits, default 200) keeps them apart from other
clients of the same target.
"""
import json
import sys

import boto3
import botocore.config
from botocore.exceptions import ClientError


def client(endpoint, account, validate=True):
    """An Organizations client whose caller is account."""
    return boto3.client(
        "organizations",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=account,
        aws_secret_access_key="test",
        config=botocore.config.Config(
            retries={"max_attempts": 1, "mode": "standard"},
            parameter_validation=validate,
            connect_timeout=5,
            read_timeout=10,
        ),
    )


def failure(call):
    """Run call, which should fail; return its error code, Reason and status."""
    try:
        call()
    except ClientError as e:
        return {
            "code": e.response.get("Error", {}).get("Code"),
            "reason": e.response.get("Reason"),
            "status": e.response.get("ResponseMetadata", {}).get("HTTPStatusCode"),
        }
    return {"code": None, "reason": None, "status": 200}


def main():
    endpoint = sys.argv[1]
    prefix = sys.argv[2] if len(sys.argv) > 2 else "200"
    mgmt, joiner, decliner, canceled = (prefix + "00000000" + str(i) for i in range(1, 5))
    m = client(endpoint, mgmt)
    obs = {"accounts": {"mgmt": mgmt, "joiner": joiner, "decliner": decliner, "canceled": canceled}}

    created = m.create_organization(FeatureSet="ALL")
    obs["org"] = created["Organization"]
    obs["request_id"] = created["ResponseMetadata"]["RequestId"]

    inv = m.invite_account_to_organization(Target={"Id": joiner, "Type": "ACCOUNT"}, Notes="from boto3")["Handshake"]
    obs["invite"] = {"id": inv["Id"], "state": inv["State"], "arn": inv["Arn"],
                     "expires_minus_requested": (inv["ExpirationTimestamp"] - inv["RequestedTimestamp"]).total_seconds()}

    j = client(endpoint, joiner)
    obs["listed_for_account"] = [h["Id"] for h in j.list_handshakes_for_account()["Handshakes"]]
    obs["listed_for_org"] = [h["Id"] for h in m.list_handshakes_for_organization()["Handshakes"]]
    obs["accept_state"] = j.accept_handshake(HandshakeId=inv["Id"])["Handshake"]["State"]
    obs["accept_again"] = failure(lambda: j.accept_handshake(HandshakeId=inv["Id"]))
    obs["member_org_id"] = j.describe_organization()["Organization"]["Id"]
    obs["org_accounts"] = [a["Id"] for a in m.list_accounts()["Accounts"]]

    d = m.invite_account_to_organization(Target={"Id": decliner, "Type": "ACCOUNT"})["Handshake"]
    obs["decline_state"] = client(endpoint, decliner).decline_handshake(HandshakeId=d["Id"])["Handshake"]["State"]
    c = m.invite_account_to_organization(Target={"Id": canceled + "@example.com", "Type": "EMAIL"})["Handshake"]
    obs["cancel_state"] = m.cancel_handshake(HandshakeId=c["Id"])["Handshake"]["State"]
    obs["accept_canceled"] = failure(lambda: client(endpoint, canceled).accept_handshake(HandshakeId=c["Id"]))

    # botocore checks types and required members, not patterns: "h-BAD"
    # reaches the server, which must refuse it.
    obs["malformed"] = failure(lambda: m.describe_handshake(HandshakeId="h-BAD"))
    obs["unknown"] = failure(lambda: m.describe_handshake(HandshakeId="h-0000000000"))
    loose = client(endpoint, mgmt, validate=False)
    obs["wrong_type"] = failure(lambda: loose.describe_handshake(HandshakeId=12345))

    json.dump(obs, sys.stdout, default=str)
    print()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # report, then fail: the Go test shows stderr
        print(f"boto3_smoke: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
