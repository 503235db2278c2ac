"""`manage.py import_communities`: validate every row first, write all or nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from communities.models import Community
from tests.factories import UserFactory

HEADER = "name,slug,kind,language,url,delegates\n"


@pytest.fixture
def write_csv(tmp_path):
    def write(text, *, name="communities.csv", encoding="utf-8"):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write


def run(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_communities", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(path, *args):
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_communities", str(path), *args, stdout=out, stderr=err)
    return str(excinfo.value), err.getvalue()


@pytest.mark.django_db
def test_imports_rows_with_fields_and_delegates(superuser, write_csv):
    ana, ben = UserFactory(username="ana"), UserFactory(username="ben")
    path = write_csv(
        HEADER
        + "Wiki One,wiki-one,wiki,en,https://one.example.org,ana ben\n"
        + "Project Two,project-two,project,pt-br,,ben\n"
        + '"Chapter, Three",chapter-three,chapter,,http://three.example.org/,\n'
    )

    out, _ = run(path)

    assert "Imported 3 communities: 3 created, 0 updated." in out
    one = Community.objects.get(slug="wiki-one")
    assert (one.name, one.kind, one.language, one.url) == (
        "Wiki One",
        "wiki",
        "en",
        "https://one.example.org",
    )
    assert set(one.delegates.all()) == {ana, ben}
    two = Community.objects.get(slug="project-two")
    assert (two.kind, two.language, two.url) == ("project", "pt-br", "")
    assert list(two.delegates.all()) == [ben]
    three = Community.objects.get(slug="chapter-three")
    assert three.name == "Chapter, Three"
    assert three.delegates.count() == 0
    # The history names the importing facilitator.
    assert one.history.first().history_user == superuser


@pytest.mark.django_db
def test_header_is_case_insensitive_and_bom_and_semicolons_accepted(superuser, write_csv):
    ana, ben = UserFactory(username="ana"), UserFactory(username="ben")
    path = write_csv("\ufeff Name , SLUG ,Delegates\nWiki,wiki,ana;ben\n")

    out, _ = run(path)

    assert "1 created" in out
    assert set(Community.objects.get(slug="wiki").delegates.all()) == {ana, ben}


@pytest.mark.django_db
def test_reimport_updates_by_slug_without_duplicates(superuser, write_csv):
    UserFactory(username="ana")
    ben = UserFactory(username="ben")
    run(write_csv(HEADER + "Old name,wiki,wiki,en,https://w.example.org,ana\n"))

    out, _ = run(write_csv(HEADER + "New name,wiki,wiki,en,https://w.example.org,ben\n"))

    assert "Imported 1 community: 0 created, 1 updated." in out
    assert Community.objects.count() == 1
    community = Community.objects.get(slug="wiki")
    assert community.name == "New name"
    assert list(community.delegates.all()) == [ben]


@pytest.mark.django_db
def test_empty_delegates_cell_clears_delegates(superuser, write_csv):
    UserFactory(username="ana")
    run(write_csv(HEADER + "Wiki,wiki,wiki,,,ana\n"))

    run(write_csv(HEADER + "Wiki,wiki,wiki,,,\n"))

    assert Community.objects.get(slug="wiki").delegates.count() == 0


@pytest.mark.django_db
def test_absent_optional_columns_leave_existing_values_alone(superuser, write_csv):
    ana = UserFactory(username="ana")
    run(write_csv(HEADER + "Wiki,wiki,wiki,en,https://w.example.org,ana\n"))

    run(write_csv("name,slug\nRenamed wiki,wiki\n"))

    community = Community.objects.get(slug="wiki")
    assert community.name == "Renamed wiki"
    assert (community.kind, community.language, community.url) == (
        "wiki",
        "en",
        "https://w.example.org",
    )
    assert list(community.delegates.all()) == [ana]


@pytest.mark.django_db
def test_missing_required_column_writes_nothing(superuser, write_csv):
    path = write_csv("name,kind\nWiki,wiki\n")

    message, _ = run_failing(path)

    assert "slug" in message
    assert "missing" in message
    assert Community.objects.count() == 0


@pytest.mark.django_db
def test_duplicate_slugs_name_both_lines_and_write_nothing(superuser, write_csv):
    path = write_csv(HEADER + "A,dup,wiki,,,\nB,other,wiki,,,\nC,dup,wiki,,,\n")

    message, err = run_failing(path)

    assert message == "1 invalid row; nothing was imported."
    assert "line 4:" in err
    assert "line 2" in err
    assert Community.objects.count() == 0


@pytest.mark.django_db
def test_every_bad_row_reported_with_its_line_and_nothing_changed(superuser, write_csv):
    Community.objects.create(name="Existing", slug="existing", kind="wiki")
    path = write_csv(
        HEADER
        + "Renamed,existing,wiki,,,\n"  # line 2: valid, but must not be applied
        + "Bad kind,bad-kind,spaceship,,,\n"  # line 3
        + "Bad url,bad-url,wiki,,ftp//nope,\n"  # line 4
    )

    message, err = run_failing(path)

    assert message == "2 invalid rows; nothing was imported."
    lines = err.splitlines()
    kind_error = next(line for line in lines if line.startswith("line 3:"))
    assert "spaceship" in kind_error
    for kind in Community.Kind.values:
        assert kind in kind_error
    url_error = next(line for line in lines if line.startswith("line 4:"))
    assert "ftp//nope" in url_error
    assert Community.objects.count() == 1
    assert Community.objects.get(slug="existing").name == "Existing"


@pytest.mark.django_db
def test_other_row_errors(superuser, write_csv):
    path = write_csv(
        HEADER
        + ",empty-name,,,,\n"  # line 2
        + "Empty slug,,,,,\n"  # line 3
        + "Bad slug,not a slug!,,,,\n"  # line 4
        + f"{'x' * 201},long-name,,,,\n"  # line 5
        + "Ghosts,ghosts,,,,nobody ghost2\n"  # line 6
        + "Mail,mail,,,mailto:a@example.org,\n"  # line 7: http/https only
        + '"Multi\nline",multi,,,,\n'  # lines 8-9
        + "Fine,fine,,,,\n"  # line 10
        + "Too,many,fields,,,,\n"  # line 11
    )

    message, err = run_failing(path)

    assert message == "7 invalid rows; nothing was imported."
    for line, fragment in [
        (2, "name is empty"),
        (3, "slug is empty"),
        (4, "not a slug!"),
        (5, "longer than 200"),
        (6, "nobody, ghost2"),
        (7, "mailto:a@example.org"),
        (11, "fields"),
    ]:
        assert any(
            row.startswith(f"line {line}:") and fragment in row for row in err.splitlines()
        ), (line, err)
    assert "line 8:" not in err and "line 10:" not in err
    assert Community.objects.count() == 0


@pytest.mark.django_db
def test_not_utf8_is_a_clear_error(superuser, write_csv):
    path = write_csv(HEADER + "Café,cafe,,,,\n", encoding="latin-1")

    message, _ = run_failing(path)

    assert "not UTF-8" in message
    assert "line 2" in message
    assert Community.objects.count() == 0


@pytest.mark.django_db
def test_missing_file_is_a_clear_error(superuser, tmp_path):
    message, _ = run_failing(tmp_path / "nope.csv")

    assert "nope.csv" in message
    assert "no such file" in message


@pytest.mark.django_db
def test_non_facilitator_as_user_is_refused(superuser, write_csv):
    UserFactory(username="pat")
    path = write_csv(HEADER + "Wiki,wiki,wiki,,,\n")

    message, _ = run_failing(path, "--as-user", "pat")

    assert "pat is not a facilitator" in message
    assert Community.objects.count() == 0


@pytest.mark.django_db
def test_facilitator_as_user_goes_on_the_history(superuser, facilitator, write_csv):
    run(write_csv(HEADER + "Wiki,wiki,wiki,,,\n"), "--as-user", "fran")

    assert Community.objects.get(slug="wiki").history.first().history_user == facilitator


@pytest.mark.django_db
def test_no_superuser_and_no_as_user_is_refused(write_csv):
    message, _ = run_failing(write_csv(HEADER + "Wiki,wiki,wiki,,,\n"))

    assert "--as-user" in message


@pytest.mark.django_db
def test_dry_run_writes_nothing(superuser, write_csv):
    Community.objects.create(name="Existing", slug="existing")
    path = write_csv(HEADER + "Renamed,existing,,,,\nNew,new,,,,\n")

    out, _ = run(path, "--dry-run")

    assert "1 would be created, 1 updated" in out
    assert Community.objects.count() == 1
    assert Community.objects.get(slug="existing").name == "Existing"


@pytest.mark.django_db
def test_thousand_rows_import_with_progress_in_bounded_queries(
    superuser, write_csv, django_assert_max_num_queries
):
    UserFactory(username="ana")
    rows = "".join(
        f"Community {i},community-{i},{Community.Kind.values[i % 5]},en,"
        f"https://c{i}.example.org,{'ana' if i % 10 == 0 else ''}\n"
        for i in range(1000)
    )
    path = write_csv(HEADER + rows)

    # A fixed number of queries per row (the service's own); no per-row lookups of delegates.
    with django_assert_max_num_queries(8 * 1000):
        out, err = run(path)

    assert "Imported 1000 communities: 1000 created, 0 updated." in out
    assert Community.objects.count() == 1000
    assert "Importing 1000/1000" in err
