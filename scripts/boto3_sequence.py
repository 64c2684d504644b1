#!/usr/bin/env python3
"""What users write instead of orgconform: a handshake sequence driven by
boto3 in a Python loop.

    boto3_sequence.py URL ITERATIONS

Against the AWS Organizations endpoint at URL (LocalStack's account
convention: the access key id is the caller's account), one management
account creates an organization; then, ITERATIONS times: it invites
account A, A accepts and leaves again; it invites B, B declines; it
invites C and cancels the invitation (7 requests). Every answer is
checked as a user's script would check it (the states). Prints
{"requests": N, "seconds": S} for the loop alone: client creation and the
organization are not timed. cmd/runner's BenchmarkSequence compares it
with the same sequence through the harness.
"""

import json
import sys
import time

import boto3
from botocore.config import Config


def client(url, account):
    return boto3.client(
        "organizations",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=account,
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


def main():
    url, iterations = sys.argv[1], int(sys.argv[2])
    mgmt = client(url, "210000000001")
    a, b, c = (client(url, acct) for acct in ("210000000002", "210000000003", "210000000004"))
    mgmt.create_organization(FeatureSet="ALL")
    requests = 0
    start = time.perf_counter()
    for _ in range(iterations):
        h = mgmt.invite_account_to_organization(Target={"Id": "210000000002", "Type": "ACCOUNT"})["Handshake"]
        assert a.accept_handshake(HandshakeId=h["Id"])["Handshake"]["State"] == "ACCEPTED"
        a.leave_organization()
        h = mgmt.invite_account_to_organization(Target={"Id": "210000000003", "Type": "ACCOUNT"})["Handshake"]
        assert b.decline_handshake(HandshakeId=h["Id"])["Handshake"]["State"] == "DECLINED"
        h = mgmt.invite_account_to_organization(Target={"Id": "210000000004", "Type": "ACCOUNT"})["Handshake"]
        assert mgmt.cancel_handshake(HandshakeId=h["Id"])["Handshake"]["State"] == "CANCELED"
        requests += 7
    seconds = time.perf_counter() - start
    json.dump({"requests": requests, "seconds": seconds}, sys.stdout)


if __name__ == "__main__":
    main()
