"""`make digest-sample` prints the digest an email subscriber gets, written by the hub's own code."""

from __future__ import annotations

import pytest

from reprotect.org import contract as org
from scripts import digest_sample


def test_the_sample_digest_names_what_needs_a_person_and_the_silent_place(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in org.Env:
        monkeypatch.setenv(variable.value, "")  # the script sets them; they go with the test

    assert digest_sample.main() == 0

    out = capsys.readouterr().out
    assert out.startswith("Subject: [drs-reprotect] digest ")
    assert "2 need a person, 1 silent" in out.splitlines()[0]
    assert "In short: 2 servers need a person; 1 place stopped reporting;" in out
    assert "s-0a1b2c3d4e5f60718 db-02: stalled (UNSTABLE_NETWORK; replication is STALLED)" in out
    assert "444444444444 ap-southeast-2 last report" in out
    assert "8 places (5 accounts in 5 regions)" in out
