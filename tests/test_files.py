"""files.py: atomic writes that check what they wrote, and the cleanup of killed writes."""

import os
import signal
import subprocess
import sys
import time

import pytest

from hessianlens import files


def parts(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_a_write_killed_by_sigkill_leaves_a_part_file_that_the_next_write_removes(tmp_path):
    target = tmp_path / "plane.svg"
    target.write_text("old")
    writer = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from hessianlens.files import atomic_path\n"
         "with atomic_path(sys.argv[1]) as tmp:\n"
         "    tmp.write_text('half')\n"
         "    print('writing', flush=True)\n"
         "    time.sleep(60)\n", str(target)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline() == "writing\n"
        assert len(parts(tmp_path)) == 1  # the live writer's file
        files.write_text_atomic(target, "ours")  # a concurrent write leaves it alone
        assert len(parts(tmp_path)) == 1
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        writer.stdout.close()
    assert len(parts(tmp_path)) == 1 and target.read_text() == "ours"
    files.write_text_atomic(target, "new")
    assert parts(tmp_path) == [] and target.read_text() == "new"


def test_stale_cleanup_touches_only_parts_of_the_same_target_whose_writer_is_gone(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead_pid = int(dead.stdout)
    names = {
        f".a.png.{dead_pid}.x1y2z3.part": True,  # killed writer of a.png
        f".a.png.{os.getpid()}.abc.part": False,  # this process: a write under way
        f".b.png.{dead_pid}.x1y2z3.part": False,  # another target
        ".a.png.old_tmp1.part": True,  # no pid (older version) and a day old
        ".a.png.new_tmp2.part": False,  # no pid but recent
        "a.png.part": False,  # not hidden: not ours
    }
    for name in names:
        (tmp_path / name).write_text("x")
    old = time.time() - files.LEGACY_PART_AGE_S - 60
    os.utime(tmp_path / ".a.png.old_tmp1.part", (old, old))
    removed = files.remove_stale_parts(tmp_path / "a.png")
    assert sorted(p.name for p in removed) == sorted(n for n, gone in names.items() if gone)
    assert all((tmp_path / n).exists() != gone for n, gone in names.items())


def test_a_file_that_fails_its_check_never_replaces_the_old_one(tmp_path):
    target = tmp_path / "t.json"
    target.write_text("old")

    def refuse(_path):
        raise files.IncompleteWrite("cut short")

    with pytest.raises(files.IncompleteWrite):
        files.write_text_atomic(target, "new", verify=refuse)
    assert target.read_text() == "old" and parts(tmp_path) == []


def test_checks_recognise_complete_and_cut_files(tmp_path):
    from PIL import Image

    png = tmp_path / "a.png"
    Image.new("RGB", (40, 30), "red").save(png)
    files.check_png(png)
    data = png.read_bytes()
    png.write_bytes(data[:-20])
    with pytest.raises(files.IncompleteWrite):
        files.check_png(png)
    svg = tmp_path / "a.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>')
    files.check_xml(svg)
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><rect')
    with pytest.raises(files.IncompleteWrite):
        files.check_xml(svg)
    with pytest.raises(files.IncompleteWrite):
        files.check_size(100)(svg)


def test_new_files_follow_the_umask_and_replaced_files_keep_their_mode(tmp_path):
    umask = os.umask(0o027)
    try:
        fresh = tmp_path / "fresh.png"
        files.write_bytes_atomic(fresh, b"x")
        assert fresh.stat().st_mode & 0o777 == 0o640
        kept = tmp_path / "kept.png"
        kept.write_bytes(b"old")
        kept.chmod(0o644)
        files.write_bytes_atomic(kept, b"new")
        assert kept.stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(umask)


def test_many_targets_are_tidied_in_one_listing_of_their_folder(tmp_path, monkeypatch):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    names = [f"run_{k:04d}.png" for k in range(50)]
    for n in names[::7]:
        (tmp_path / f".{n}.{int(dead.stdout)}.abc123.part").write_text("x")
    listed = []
    real = os.scandir
    monkeypatch.setattr(os, "scandir", lambda p: listed.append(p) or real(p))
    removed = files.remove_stale_parts(*(tmp_path / n for n in names))
    assert listed == [tmp_path]  # (before parts(): Python 3.13's pathlib lists with scandir)
    assert len(removed) == len(names[::7]) and parts(tmp_path) == []
