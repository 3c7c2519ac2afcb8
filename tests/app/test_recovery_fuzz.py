"""Whatever lies in the crash folder - any bytes as a copy or its origin, a dangling link, a FIFO, a folder - the
launch lists the copies it can describe and never raises or hangs (the window must open whatever a crash left)."""

import os

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.recovery import ORIGIN, describe, orphaned_autosaves

texts = st.one_of(st.binary(max_size=300), st.just(b'{"runs": [1, 2], "title": "x"}'),
                  st.builds(lambda s: s.encode("utf-8", "replace"), st.text(max_size=60)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(copy=texts, origin=st.one_of(st.none(), texts))
# an origin's lesson whose "number" str.isdigit() takes and int() does not: the launch raised ValueError
@example(copy=b'{"runs": [], "title": "t"}', origin='{"lesson": "\u00b2_x"}'.encode())
@example(copy=b'{"runs": [], "title": "t"}', origin=b'{"lesson": "' + b"9" * 5000 + b'_x"}')
def test_any_bytes_in_a_copy_or_its_origin_are_described_or_called_unreadable(tmp_path, copy, origin):
    path = tmp_path / "autosave-fuzz.gdlab.json"
    path.write_bytes(copy)
    origin_path = tmp_path / ("autosave-fuzz.gdlab.json" + ORIGIN)
    if origin is None:
        origin_path.unlink(missing_ok=True)
    else:
        origin_path.write_bytes(origin)
    [found] = orphaned_autosaves(str(tmp_path))
    described = describe(found)
    assert described.runs is None or described.runs >= 0
    assert isinstance(described.what, str) and described.what


def test_links_fifos_and_folders_named_like_copies_are_left_out(tmp_path):
    (tmp_path / "autosave-good.gdlab.json").write_text('{"runs": []}')
    os.symlink(tmp_path / "nowhere", tmp_path / "autosave-dangling.gdlab.json")
    os.mkfifo(tmp_path / "autosave-fifo.gdlab.json")
    (tmp_path / "autosave-folder.gdlab.json").mkdir()
    found = orphaned_autosaves(str(tmp_path))
    assert [os.path.basename(path) for path in found] == ["autosave-good.gdlab.json"]
    assert describe(found[0]).runs == 0
