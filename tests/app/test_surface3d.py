"""Issue 18, "a 3D surface": a tab beside the parameter space, whose OpenGL widget is made when the tab is first
shown; offscreen it says in one line that OpenGL is missing and the app works on; on a display with GLX (Xvfb +
Mesa, as pyqtgraph's CI runs its 3D examples) it builds and draws each run's path at the height of its loss, two
windows' 3D views draw side by side in one process, and ``--record-view surface`` records it. The GLX half runs in
child processes on $GDLAB_GLX_DISPLAY (skipped without one)."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from gd_core.landscape import surface_heights


def test_heights_map_loss_linearly_or_by_log():
    assert np.allclose(surface_heights([1, 2, 3], 1, 3, span=2), [0, 1, 2])
    log = surface_heights([1, 10, 100], 1, 100, log=True)
    assert log[0] == 0 and log[-1] == pytest.approx(1) and 0.4 < log[1] < 0.6
    assert np.isnan(surface_heights([np.nan, np.inf], 0, 1)).all()


def test_the_window_starts_without_opengl_and_the_parameter_space_in_front(window):
    assert window.space_tabs.currentWidget() is window.space_view
    assert [window.space_tabs.tabText(i) for i in range(2)] == ["Parameter space", "Surface 3D"]
    assert not window.surface_view.built and window.surface_view.view is None  # made when first shown


def test_view_menu_brings_the_tab_to_the_front_and_offscreen_says_so_in_one_line(window, qapp):
    windows = [w for w in qapp.topLevelWidgets() if w.isVisible()]
    window.action_surface3d.trigger()
    view = window.surface_view
    assert window.space_tabs.currentWidget() is view and view.built
    assert [w for w in qapp.topLevelWidgets() if w.isVisible()] == windows  # no window of its own
    assert view.view is None and "OpenGL" in view.info.text() and "\n" not in view.info.text()
    # the header's line is cut where the tab is narrow: the whole of it fills the tab, wrapped
    assert view.notice.text() == view.info.text() and view.notice.wordWrap() and view.notice.isVisibleTo(view)
    assert not view.log_height.isEnabled() and not view.export_button.isVisibleTo(view)  # nothing to export
    # the box greyed out said nothing of why (its tooltip still offered the log height): it names what is missing
    assert view.log_height.toolTip() == f"Not available here: {view.info.text()}"
    window.model.step(5)  # nothing of the 3D view is drawn, nothing fails
    window.catch_up()
    assert window.model.selected.trainer.step == 5


GLX_START = textwrap.dedent("""
    import numpy as np
    from PySide6.QtWidgets import QApplication
    from app import create_window
    from app.views.surface3d import share_opengl_contexts
    share_opengl_contexts()
    app = QApplication([])
""")

GLX_CHECK = GLX_START + textwrap.dedent("""
    import os
    window = create_window()
    window.show()
    window.run_list.duplicate()
    window.model.step(25)
    window.show_surface3d()
    view = window.surface_view
    assert view.view is not None, view.info.text()
    view.canvas.render()  # painted before its grid arrives: nothing drawn, nothing fails
    view.worker.wait()
    app.processEvents()
    for log in (False, True):
        view.log_height.setChecked(log)
        app.processEvents()
        for run in window.model.runs:
            pos = view.paths[id(run)].pos
            assert np.allclose(pos[:, :2], run.history.params[:, :2])
            assert np.allclose(pos[:, 2], view.heights(run.history.loss))  # z is the height of its loss
            # on the surface: the grid's own height at the path's points is within a grid step's change
            _, xs, ys, Z = view._grid
            ix = np.clip(np.searchsorted(xs, pos[:, 0]), 1, len(xs) - 1)
            iy = np.clip(np.searchsorted(ys, pos[:, 1]), 1, len(ys) - 1)
            near = view.heights(Z[iy, ix])
            assert np.nanmax(np.abs(near - pos[:, 2])) < 0.1
    view.log_height.setChecked(False)
    meshes = []  # a step moves the paths; the surface's mesh (its normals cost ~50 ms) stays
    view.surface.setData = lambda **data: meshes.append(data)
    window.model.step(3)
    assert not meshes and len(view.paths[id(window.model.selected)].pos) == 29
    view.log_height.setChecked(True)
    assert len(meshes) == 1
    del view.surface.setData
    view.log_height.setChecked(False)
    # drawn off screen: the window stays a raster window (a QOpenGLWidget in it would turn on OpenGL composition
    # of every later repaint, for good), and the canvas hands the scene the mouse: a drag turns the camera
    from PySide6.QtGui import QSurface
    from PySide6.QtTest import QTest
    from PySide6.QtCore import QPoint, Qt
    assert window.windowHandle().surfaceType() == QSurface.SurfaceType.RasterSurface
    azimuth, renders = view.view.opts["azimuth"], view.canvas.renders
    QTest.mousePress(view.canvas, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    QTest.mouseMove(view.canvas, QPoint(160, 110))
    QTest.mouseRelease(view.canvas, Qt.MouseButton.LeftButton, pos=QPoint(160, 110))
    app.processEvents()
    assert view.view.opts["azimuth"] != azimuth and view.canvas.renders > renders
    first = view.canvas.width()
    for change in (-150, 450):  # smaller, then larger than at first: the picture is the scene at the new size
        window.resize(window.width() + change, window.height())
        app.processEvents()
        window.catch_up()
        picture = view.canvas.image.convertToFormat(view.canvas.image.Format.Format_RGBA8888)
        width, height = picture.width(), picture.height()
        shown = np.frombuffer(picture.constBits(), np.uint8).reshape(height, -1)[:, :4 * width]
        drawn = view.view.renderToArray((width, height))  # pyqtgraph's own off-screen drawing, BGRA
        assert (width, height) == view.canvas.size().toTuple()
        difference = np.abs(shown.reshape(height, width, 4)[..., [2, 1, 0]].astype(int) - drawn[..., :3])
        assert difference.mean() < 2, difference.mean()  # not cut at the old size, nor uninitialised memory
    assert view.canvas.width() > first
    # Export: a PNG at the chosen resolution, to a file or the clipboard; no SVG of a picture
    import tempfile
    from PySide6.QtGui import QImage
    from app import exports
    menu = view.export_menu
    menu.fill()
    assert [a.text() for a in menu.actions()][:2] == ["Save as PNG...", "Copy to clipboard"]
    picture = menu.pictures()[0]
    folder = tempfile.mkdtemp()
    exports.export_plot(picture, os.path.join(folder, "s.png"), scale=2)
    saved = QImage(os.path.join(folder, "s.png"))
    scene = view.canvas.size() * 2  # under a row naming the runs (their legend)
    assert saved.width() == scene.width() and saved.height() > scene.height() + 20
    assert len({saved.pixel(x, y) for x in range(0, saved.width(), 9) for y in range(0, saved.height(), 9)}) > 20
    try:
        exports.export_plot(picture, os.path.join(folder, "s.svg"))
        raise AssertionError("an SVG of the 3D view")
    except OSError as error:
        assert "choose a .png file" in str(error) and os.listdir(folder) == ["s.png"]
    exports.copy_plot(picture, scale=1)
    copied = app.clipboard().image()
    assert copied.width() == view.canvas.width() and copied.height() > view.canvas.height() + 10
    from app.theme import theme
    theme().set_mode("dark")  # the axes' names follow the theme's text colour (dark grey on black was unreadable)
    assert view.axis_names[0].color == theme().color("text") and theme().dark
    image = view.view.grabFramebuffer()
    assert image.width() > 100 and len({image.pixel(x, y) for x in range(0, image.width(), 7)
                                        for y in range(0, image.height(), 7)}) > 20  # a drawn surface
    print("ok")
""")


GLX_PLANE_CHECK = GLX_START + textwrap.dedent("""
    import json, os, tempfile
    # a larger problem in the parameter space's PCA-plane mode: paths projected onto the plane, z their loss
    config = os.path.join(tempfile.mkdtemp(), "mlp.json")
    with open(config, "w") as fh:
        json.dump({"problem": "mlp", "batch_size": 16, "optimizer": {"name": "adam", "lr": 0.03}, "epochs": 30}, fh)
    window = create_window(config)
    window.show()
    window.model.step(60)
    window.model.set_view("space_mode", "plane")
    window.show_surface3d()
    view = window.surface_view
    view.worker.wait()
    app.processEvents()
    assert view.plane is not None and "plane" in view.info.text()
    run = window.model.selected
    pos = view.paths[id(run)].pos
    assert np.allclose(pos[:, :2], view.plane.project(run.history.params), equal_nan=True)
    assert np.allclose(pos[:, 2], view.heights(run.history.loss), equal_nan=True)
    view.view.grabFramebuffer()
    print("ok")
""")


GLX_TWO_WINDOWS = GLX_START + textwrap.dedent("""
    # pyqtgraph compiles each shader once per process: without shared contexts the second view drew nothing
    colours = []
    for k in range(2):
        window = create_window()
        window.show()
        window.model.step(20)
        window.show_surface3d()
        window.catch_up()
        image = window.surface_view.view.grabFramebuffer()
        colours.append(len({image.pixel(x, y) for x in range(0, image.width(), 7)
                            for y in range(0, image.height(), 7)}))
    assert min(colours) > 20, colours
    print("ok")
""")


GLX_FAR_START = GLX_START + textwrap.dedent("""
    import warnings
    warnings.simplefilter("error")  # pyqtgraph's float32 cast of a path at 1e77 warned (overflow): now an error
    window = create_window()
    window.show()
    for start in ([2.8e77, -1e60], [3.0, 1e300]):  # Rosenbrock's loss there is inf, or 1e302
        window.model.update_config(window.model.selected, {**window.model.selected.config, "init": start})
        window.show_surface3d()
        view = window.surface_view
        view.worker.wait()
        app.processEvents()
        view.redraw()
        pos = view.paths[id(window.model.selected)].pos
        assert np.isfinite(pos.astype(np.float32)[~np.isnan(pos).any(axis=1)]).all(), pos
    print("ok")
""")


def run_on_glx(args: list[str]) -> subprocess.CompletedProcess:
    pytest.importorskip("OpenGL")
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "DISPLAY": os.environ["GDLAB_GLX_DISPLAY"]}
    result = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120, env=env)
    assert "Error while drawing" not in result.stderr, result.stderr[-2000:]  # pyqtgraph prints, not raises
    return result


needs_glx = pytest.mark.skipif(not os.environ.get("GDLAB_GLX_DISPLAY"),
                               reason="no GLX display (set GDLAB_GLX_DISPLAY=:N)")


@pytest.mark.parametrize("script", [GLX_CHECK, GLX_PLANE_CHECK, GLX_TWO_WINDOWS, GLX_FAR_START],
                         ids=["slice", "plane", "two", "far start"])
@needs_glx
def test_builds_under_glx_and_draws_paths_at_their_loss(script):
    result = run_on_glx(["-c", script])
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stderr[-2000:]


@needs_glx
def test_headless_record_of_the_surface_under_glx(tmp_path):
    from .test_animation import read_gif

    out = tmp_path / "surface.gif"
    result = run_on_glx(["-m", "app", "--record", str(out), "--run-steps", "12", "--frames", "7",
                         "--record-view", "surface", "--record-width", "300"])
    assert result.returncode == 0 and "7 frames of 300 x" in result.stdout, result.stderr[-2000:]
    pictures, _ = read_gif(out)
    assert len(pictures) == 7 and pictures[0].shape[1] == 300
    assert len({tuple(p) for p in pictures[0].reshape(-1, 3)[::97]}) > 20  # a drawn surface, not a blank frame
    assert all(np.abs(a - b).max() > 32 for a, b in zip(pictures, pictures[1:]))  # the path grows frame by frame


def hide_pyopengl(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "OpenGL", None)  # import OpenGL.GL raises ImportError
    monkeypatch.setitem(sys.modules, "OpenGL.GL", None)


def test_without_pyopengl_the_line_names_the_extra(qapp, monkeypatch):
    from app.views import surface3d

    monkeypatch.setattr(surface3d.QGuiApplication, "platformName", staticmethod(lambda: "xcb"))
    hide_pyopengl(monkeypatch)
    assert "PyOpenGL (pip install 'gdlab[3d]')" in surface3d.opengl_missing()


def test_recording_the_surface_without_opengl_is_refused_in_one_line(qapp, capsys, monkeypatch, tmp_path):
    from app.__main__ import main

    hide_pyopengl(monkeypatch)
    code = main(["--record", str(tmp_path / "s.gif"), "--run-steps", "3", "--record-view", "surface"])
    err = capsys.readouterr().err.splitlines()
    assert code == 2 and err == ["error: --record: Surface 3D needs PyOpenGL (pip install 'gdlab[3d]') and a display "
                                 "with OpenGL (the offscreen platform has none: run with DISPLAY set, e.g. under "
                                 "xvfb-run); record another view"]
    assert os.listdir(tmp_path) == []


def test_file_export_of_the_surface_without_opengl_says_why(window):
    export = next(a for a in window.files.file_menu.actions() if a.text() == "&Export").menu()
    entries = {a.text(): a for a in export.actions()}
    assert "Copy surface 3D to clipboard" in entries
    entries["Surface 3D as PNG..."].trigger()  # no file dialog: there is nothing to export
    assert window.space_tabs.currentWidget() is window.surface_view
    text = window.banner.text()  # PyOpenGL (where it is not installed), a display with OpenGL
    assert text.startswith("Not exported: the 3D view needs ") and "OpenGL" in text and "\n" not in text


def test_the_export_dialog_refuses_the_surface_without_opengl(window, tmp_path):
    window.files.export_animation()
    dialog = window.files.animation_dialog
    dialog.path.setText(str(tmp_path / "s.gif"))
    dialog.target.setCurrentIndex(dialog.target.findData("surface"))
    dialog.record()
    assert dialog.recorder is None and dialog.message.text().startswith("Surface 3D needs")  # PyOpenGL, a display
    assert window.space_tabs.currentWidget() is window.surface_view  # what was asked for is shown, saying why not
    assert os.listdir(tmp_path) == []
