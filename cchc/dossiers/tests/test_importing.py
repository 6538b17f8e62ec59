"""Import of historical dossiers (NDJSON): facts, idempotence, line errors, scope, query count."""

from __future__ import annotations

import io
import json
import math
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from cchc.accounts.models import User
from cchc.dossiers.actions import next_code
from cchc.dossiers.choices import Action, EndType, ReturnMethod, Status
from cchc.dossiers.importing import SYSTEM, ImportRefused, import_dossiers
from cchc.dossiers.models import Dossier, DossierEvent
from cchc.dossiers.tests.support import entry, ndjson, run
from cchc.testing import World, at, make_user
from cchc.units.choices import Role
from cchc.worktime.choices import Outcome

pytestmark = pytest.mark.django_db

AGENCY_A = "000.30.10.H56"


def test_it_imports_a_processing_dossier_with_a_computed_due_and_a_fresh_code(
    world: World,
) -> None:
    result = run(entry(world))
    assert (result.created, result.unchanged, result.failed) == (1, 0, 0)
    d = Dossier.objects.get(external_id="old-1")
    assert d.status == Status.PROCESSING
    assert d.code == f"{AGENCY_A}-250804-0001"
    assert d.submitted_at == d.received_at == d.clock_started_at == at("2025-08-04")
    # Day 1 is Tue 05/08, day 3 Thu 07/08, due at the close of office hours.
    assert d.original_due_at == d.due_at == at("2025-08-07", 17)
    assert d.procedure_version == world.copy.versions.get()
    assert d.field_id == world.copy.field_id
    assert d.receiving_unit == d.processing_unit == world.commune_a
    assert (d.finished_at, d.end_type, d.outcome, d.returned_at) == (None, "", "", None)
    assert (d.applicant_name, d.applicant_phone) == ("Nguyễn Văn An", "0912345678")
    assert d.return_method == ReturnMethod.COUNTER
    event = DossierEvent.objects.get(dossier=d)
    assert (event.action, event.from_status, event.to_status) == (Action.NOTE, "", d.status)
    assert event.data == {"imported": True, "source_line": 1}
    assert event.actor is None and not event.public


def test_status_is_read_by_name_or_by_national_number(world: World) -> None:
    result = run(
        entry(world, external_id="a", status="processing"),
        entry(world, external_id="b", status=4),
        entry(world, external_id="c", status="5"),
        entry(world, external_id="d", status=2),
    )
    assert result.created == 4
    statuses = dict(Dossier.objects.values_list("external_id", "status"))
    assert statuses == {
        "a": Status.PROCESSING,
        "b": Status.PROCESSING,
        "c": Status.SUPPLEMENT,
        "d": Status.RECEIVED,
    }


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        ("2025-08-06T10:00:00+07:00", Outcome.EARLY),
        ("2025-08-07T16:59:00+07:00", Outcome.ON_TIME),
        ("2025-08-08T08:00:00+07:00", Outcome.LATE),
    ],
)
def test_a_finished_dossier_is_judged_against_its_due_moment(
    world: World, finished: str, expected: str
) -> None:
    run(entry(world, status="resolved", finished_at=finished))
    d = Dossier.objects.get()
    assert (d.end_type, d.outcome) == (EndType.RESOLVED, expected)
    assert d.finished_at is not None and d.returned_at is None


def test_a_given_due_moment_is_kept_and_judged_against(world: World) -> None:
    run(
        entry(
            world,
            status=10,
            due_at="2025-08-05T17:00:00+07:00",
            finished_at="2025-08-06T10:00:00+07:00",
            returned_at="2025-08-06T15:00:00+07:00",
        )
    )
    d = Dossier.objects.get()
    assert d.status == Status.RETURNED
    assert d.original_due_at == d.due_at == at("2025-08-05", 17)
    assert (d.end_type, d.outcome, d.returned_at) == (
        EndType.RESOLVED,
        Outcome.LATE,
        at("2025-08-06", 15),
    )


def test_end_types_follow_the_status_and_refused_dossiers_were_never_received(
    world: World,
) -> None:
    done = "2025-08-05T10:00:00+07:00"
    run(
        entry(world, external_id="w", status="withdrawn", finished_at=done),
        entry(world, external_id="s", status=8, finished_at=done),
        entry(world, external_id="r", status=3),
        entry(world, external_id="n", status=1),
    )
    rows = {d.external_id: d for d in Dossier.objects.all()}
    assert (rows["w"].end_type, rows["w"].outcome) == (EndType.WITHDRAWN, "")
    assert (rows["s"].status, rows["s"].end_type) == (Status.STOPPED, EndType.STOPPED)
    for key, status in (("r", Status.REFUSED), ("n", Status.SUBMITTED)):
        d = rows[key]
        assert d.status == status
        assert d.submitted_at == at("2025-08-04")
        assert (d.received_at, d.due_at, d.finished_at, d.end_type) == (None, None, None, "")


def test_reimporting_the_same_file_changes_nothing(world: World) -> None:
    lines = [entry(world, external_id=f"old-{i}") for i in range(5)]
    first = run(*lines)
    second = run(*lines)
    assert (first.created, first.unchanged) == (5, 0)
    assert (second.created, second.unchanged, second.failed) == (0, 5, 0)
    assert Dossier.objects.count() == 5
    assert DossierEvent.objects.count() == 5


def test_a_known_external_id_is_skipped_even_when_its_line_changed(world: World) -> None:
    run(entry(world))
    result = run(entry(world, status="resolved", finished_at="2025-08-05T10:00:00+07:00"))
    assert (result.created, result.unchanged) == (0, 1)
    assert Dossier.objects.get().status == Status.PROCESSING


def test_a_repeated_external_id_in_the_file_keeps_the_first_line(world: World) -> None:
    result = run(entry(world), entry(world, status="received"))
    assert (result.created, result.unchanged) == (1, 1)
    assert Dossier.objects.get().status == Status.PROCESSING


def test_errors_carry_line_numbers_and_the_good_lines_still_import(world: World) -> None:
    result = run(
        entry(world, external_id="good-1"),
        "{not json",
        entry(world, external_id="x3", procedure="9.999999"),
        entry(world, external_id="x4", unit="99999"),
        entry(world, external_id="x5", status="lost"),
        entry(world, external_id="x6", status="resolved", finished_at="2025-08-01T09:00:00+07:00"),
        {"external_id": "x7", "procedure": world.copy.code},
        "[1, 2]",
        entry(world, external_id="good-9"),
        entry(world, external_id="x10", channel="fax"),
        entry(world, external_id="x11", applicant={"phone": "0912"}),
        entry(world, external_id="x12", colour="blue"),
        entry(world, external_id="x13", status="processing", finished_at="2025-08-05T09:00+07:00"),
    )
    assert (result.created, result.failed) == (2, 11)
    assert [e.line for e in result.errors] == [2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13]
    messages = {e.line: e.error for e in result.errors}
    assert "JSON" in messages[2]
    assert "9.999999" in messages[3]
    assert "99999" in messages[4]
    assert "lost" in messages[5]
    assert "finished_at trước received_at" in messages[6]
    assert "channel" in messages[7] and "received_at" in messages[7]
    assert "fax" in messages[10]
    assert "applicant.name" in messages[11]
    assert "colour" in messages[12]
    assert result.as_dict()["errors"][0] == {"line": 2, "error": messages[2]}
    assert set(Dossier.objects.values_list("external_id", flat=True)) == {"good-1", "good-9"}


@pytest.mark.parametrize(
    "moment", ["2025-08-04T09:00:00", "2025-08-04", "04/08/2025 09:00", "2025-08-04 09:00"]
)
def test_a_moment_without_an_offset_is_rejected(world: World, moment: str) -> None:
    result = run(entry(world, received_at=moment))
    assert result.created == 0
    assert result.errors[0].line == 1 and "received_at" in result.errors[0].error


def test_a_moment_with_z_or_another_offset_is_accepted(world: World) -> None:
    run(entry(world, external_id="z", received_at="2025-08-04T02:00:00Z"))
    assert Dossier.objects.get().received_at == at("2025-08-04")


def test_a_scoped_user_cannot_import_into_another_unit(world: World, carol: User) -> None:
    result = run(
        entry(world, external_id="mine"),
        entry(world, external_id="theirs", procedure=world.birth.code, unit=world.commune_b.code),
        entry(world, external_id="received-there", receiving_unit=world.commune_b.code),
        by=carol,
    )
    assert result.created == 1
    assert [e.line for e in result.errors] == [2, 3]
    assert all(world.commune_b.code in e.error for e in result.errors)
    event = DossierEvent.objects.get()
    assert event.actor == carol


def test_a_user_without_any_unit_imports_nothing(world: World) -> None:
    nobody = make_user("nobody")
    with pytest.raises(ImportRefused):
        run(entry(world), by=nobody)
    assert not Dossier.objects.exists()


def test_codes_continue_the_live_counter_and_never_collide(world: World) -> None:
    from django.db import transaction

    with transaction.atomic():
        live = next_code(AGENCY_A, at("2025-08-04").date())
    assert live.endswith("-0001")
    run(
        entry(world, external_id="a"),
        entry(world, external_id="b", code=f"{AGENCY_A}-250804-0007"),
        entry(world, external_id="c"),
    )
    codes = dict(Dossier.objects.values_list("external_id", "code"))
    # The explicit code raised the counter first, so the generated ones come after it.
    assert codes == {
        "a": f"{AGENCY_A}-250804-0008",
        "b": f"{AGENCY_A}-250804-0007",
        "c": f"{AGENCY_A}-250804-0009",
    }
    with transaction.atomic():
        assert next_code(AGENCY_A, at("2025-08-04").date()).endswith("-0010")


def test_a_taken_code_is_an_error_on_its_line(world: World) -> None:
    run(entry(world, external_id="a", code="OLD-1"))
    result = run(
        entry(world, external_id="b", code="OLD-1"),
        entry(world, external_id="c", code="OLD-2"),
        entry(world, external_id="d", code="OLD-2"),
    )
    assert result.created == 1
    assert [(e.line, "OLD-" in e.error) for e in result.errors] == [(1, True), (3, True)]


def test_text_streams_and_plain_lists_of_lines_work_too(world: World) -> None:
    text = json.dumps(entry(world, external_id="t")) + "\n\n"
    assert import_dossiers(io.StringIO(text), by=SYSTEM).created == 1
    assert import_dossiers([json.dumps(entry(world, external_id="l"))], by=SYSTEM).created == 1


def test_a_request_body_is_read_as_a_stream(world: World, carol: User) -> None:
    body = ndjson(entry(world, external_id="api-1"), "oops").getvalue()
    request = RequestFactory().post(
        "/api/v1/dossiers/import", data=body, content_type="application/x-ndjson"
    )
    result = import_dossiers(request, by=carol)
    assert result.as_dict() == {
        "lines": 2,
        "created": 1,
        "unchanged": 0,
        "failed": 1,
        "errors": [{"line": 2, "error": result.errors[0].error}],
        "errors_truncated": False,
    }


def test_only_the_first_errors_are_listed_but_all_are_counted(world: World) -> None:
    result = run(*["oops"] * 5, max_errors=2)
    assert (result.failed, len(result.errors), result.errors_truncated) == (5, 2, True)


def test_a_runaway_line_is_an_error_and_the_next_line_still_imports(world: World) -> None:
    huge = json.dumps(entry(world, external_id="huge", code="x" * 70_000))
    result = run(huge, entry(world, external_id="after"))
    assert result.created == 1
    assert [e.line for e in result.errors] == [1]


def test_the_query_count_does_not_grow_with_the_lines(
    world: World, django_assert_max_num_queries: Any
) -> None:
    def lines(prefix: str, n: int) -> list[dict[str, Any]]:
        return [
            entry(
                world,
                external_id=f"{prefix}-{i}",
                received_at=f"2025-08-{4 + i % 5:02d}T09:00:00+07:00",
                status=("processing", "resolved")[i % 2],
                finished_at="2025-08-20T09:00:00+07:00" if i % 2 else None,
            )
            for i in range(n)
        ]

    run(*lines("warm", 3))  # the first calendar snapshot of the process reads its tables
    with CaptureQueriesContext(connection) as small:
        assert run(*lines("s", 20), batch_size=1000).created == 20
    # The same queries for 500 lines as for 20, but for the backend's own split of a long
    # INSERT (SQLite binds at most 999 parameters a statement; PostgreSQL sends one).
    limit = len(small) - insert_statements(20) + insert_statements(500)
    with django_assert_max_num_queries(limit):
        assert run(*lines("l", 500), batch_size=1000).created == 500

    def count(prefix: str, n: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert run(*lines(prefix, n), batch_size=100).created == n
        return len(queries)

    one, two, five = count("one", 100), count("two", 200), count("five", 500)
    per_batch = two - one
    # Per batch: savepoint, external ids, counters, codes, release; then the inserts.
    assert per_batch - insert_statements(100) <= 6
    assert five == one + 4 * per_batch


def insert_statements(n: int) -> int:
    """Statements `bulk_create` needs for n dossiers and their n events on this backend."""
    total = 0
    for model in (Dossier, DossierEvent):
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        total += math.ceil(n / max(connection.ops.bulk_batch_size(fields, [None] * n), 1))
    return total


def test_the_command_prints_a_summary_and_exits_1_when_a_line_failed(
    world: World, tmp_path: Any, capsys: Any
) -> None:
    good = tmp_path / "good.jsonl"
    good.write_bytes(ndjson(entry(world, external_id="a")).getvalue())
    call_command("import_dossiers", str(good))
    assert "1 hồ sơ thêm mới" in capsys.readouterr().out

    mixed = tmp_path / "mixed.jsonl"
    mixed.write_bytes(ndjson(entry(world, external_id="b"), "oops").getvalue())
    with pytest.raises(CommandError) as failure:
        call_command("import_dossiers", str(mixed))
    assert failure.value.returncode == 1
    out, err = capsys.readouterr()
    assert "1 hồ sơ thêm mới" in out and "1 dòng lỗi" in out
    assert "dòng 2:" in err
    assert Dossier.objects.filter(external_id="b").exists()


def test_the_command_runs_as_the_given_user(world: World, tmp_path: Any, capsys: Any) -> None:
    make_user("lan", world.commune_a, Role.RECEPTION)
    make_user("kim", world.commune_a, Role.TTHC_CONTROL)
    path = tmp_path / "b.jsonl"
    path.write_bytes(
        ndjson(entry(world, procedure=world.birth.code, unit=world.commune_b.code)).getvalue()
    )
    # A reception clerk may not import history at all; a control officer of commune A may,
    # but not into commune B: the line is reported.
    with pytest.raises(CommandError, match="quyền riêng"):
        call_command("import_dossiers", str(path), "--user", "lan")
    with pytest.raises(CommandError):
        call_command("import_dossiers", str(path), "--user", "kim")
    assert "dòng 1:" in capsys.readouterr().err
    assert not Dossier.objects.exists()
    with pytest.raises(CommandError, match="ghost"):
        call_command("import_dossiers", str(path), "--user", "ghost")
