""".ci/audit-deps: a known vulnerability fails the run, an advisory service that cannot be
reached is reported without failing it, and an audit that cannot run fails it. The verdicts
are read from reports in the shapes pip-audit 2.10 and npm 10 write."""

from importlib.machinery import SourceFileLoader
from importlib.util import module_from_spec, spec_from_loader
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "audit-deps"


@pytest.fixture(scope="module")
def audit():
    loader = SourceFileLoader("audit_deps", str(SCRIPT))
    module = module_from_spec(spec_from_loader("audit_deps", loader))
    loader.exec_module(module)
    return module


def pip_report(*deps):
    return {"dependencies": list(deps), "fixes": []}


DJANGO_OK = {"name": "django", "version": "5.2.19", "vulns": []}
DJANGO_VULNERABLE = {
    "name": "django",
    "version": "3.2.0",
    "vulns": [
        {
            "id": "PYSEC-2021-98",
            "fix_versions": ["2.2.24", "3.1.12", "3.2.4"],
            "aliases": ["CVE-2021-33203"],
            "description": "Directory traversal via the admindocs TemplateDetailView.",
        }
    ],
}
NOT_FOUND = {
    "name": "amqp",
    "skip_reason": "Dependency not found on PyPI and could not be audited: amqp (5.4.2)",
}


def test_a_known_python_vulnerability_fails(audit):
    outcome, lines = audit.pip_verdict(1, pip_report(DJANGO_VULNERABLE, NOT_FOUND), "Found 1")
    assert outcome == audit.VULNERABLE
    assert lines == ["django 3.2.0: PYSEC-2021-98 (fixed in 2.2.24, 3.1.12, 3.2.4)"]


def test_a_clean_python_audit_passes_and_names_what_it_skipped(audit):
    outcome, lines = audit.pip_verdict(0, pip_report(DJANGO_OK, NOT_FOUND), "")
    assert outcome == audit.CLEAN
    assert "1 packages audited" in lines[0] and "amqp (5.4.2)" in lines[1]


def test_no_python_package_looked_up_is_the_service_unreachable_not_clean(audit):
    outcome, _ = audit.pip_verdict(0, pip_report(NOT_FOUND, {**NOT_FOUND, "name": "x"}), "")
    assert outcome == audit.UNREACHABLE


def test_a_python_connection_error_is_the_service_unreachable(audit):
    stderr = (
        "ERROR:pip_audit._cli:Could not connect to PyPI's vulnerability feed\n"
        "ERROR:pip_audit._cli:Tip: your network may be blocking this service. Try another "
        "service with `-s SERVICE`\n"
    )
    assert audit.pip_verdict(1, None, stderr)[0] == audit.UNREACHABLE


def test_a_python_audit_that_cannot_run_fails(audit):
    stderr = "ERROR:pip_audit._cli:invalid requirements input: requirements/base.txt\n"
    assert audit.pip_verdict(1, None, stderr)[0] == audit.BROKEN


NPM_VULNERABLE = {
    "auditReportVersion": 2,
    "vulnerabilities": {
        "bootstrap": {
            "name": "bootstrap",
            "severity": "moderate",
            "isDirect": True,
            "via": [{"source": 1095178, "title": "XSS in carousel"}],
            "range": "<=3.4.1",
        }
    },
    "metadata": {"vulnerabilities": {"moderate": 1, "total": 1}, "dependencies": {"total": 2}},
}
NPM_CLEAN = {
    "auditReportVersion": 2,
    "vulnerabilities": {},
    "metadata": {"vulnerabilities": {"total": 0}, "dependencies": {"total": 2}},
}
NPM_405 = {
    "message": "405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/"
    "advisories/bulk",
    "method": "POST",
    "statusCode": 405,
    "body": "",
    "error": {"summary": "", "detail": ""},
}
NPM_OFFLINE = {"error": {"code": "ENOTFOUND", "summary": "request to registry failed"}}
NPM_NO_LOCK = {"error": {"code": "ENOLOCK", "summary": "This command requires a lockfile"}}


def test_a_known_npm_vulnerability_fails(audit):
    outcome, lines = audit.npm_verdict(1, NPM_VULNERABLE)
    assert outcome == audit.VULNERABLE and lines == ["bootstrap: moderate (<=3.4.1)"]


def test_a_clean_npm_audit_passes(audit):
    assert audit.npm_verdict(0, NPM_CLEAN)[0] == audit.CLEAN


@pytest.mark.parametrize("report", [NPM_405, NPM_OFFLINE])
def test_an_npm_advisory_service_that_does_not_answer_is_reported(audit, report):
    assert audit.npm_verdict(1, report)[0] == audit.UNREACHABLE


def test_an_npm_audit_that_cannot_run_fails(audit):
    assert audit.npm_verdict(1, NPM_NO_LOCK)[0] == audit.BROKEN
    assert audit.npm_verdict(1, None)[0] == audit.BROKEN


def test_the_run_fails_only_for_a_vulnerability_or_a_broken_audit(audit, monkeypatch, capsys):
    def outcome_of(pip, npm):
        monkeypatch.setattr(audit, "run_pip_audit", lambda: (pip, []))
        monkeypatch.setattr(audit, "run_npm_audit", lambda: (npm, []))
        return audit.main()

    assert outcome_of(audit.UNREACHABLE, audit.UNREACHABLE) == 0
    assert "reported, not failed" in capsys.readouterr().out
    assert outcome_of(audit.CLEAN, audit.CLEAN) == 0
    assert outcome_of(audit.VULNERABLE, audit.UNREACHABLE) == 1
    assert outcome_of(audit.UNREACHABLE, audit.VULNERABLE) == 1
    assert outcome_of(audit.CLEAN, audit.BROKEN) == 1
