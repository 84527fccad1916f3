"""The seeded video workload: files, bad files, container vs decoded frame counts."""
import hashlib

import numpy as np
import pytest

cv2 = pytest.importorskip("cv2")

from optbench.workloads import video as W  # noqa: E402


def _frames(path):
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    return frames


def _digest(frames):
    return [hashlib.sha256(f.tobytes()).hexdigest() for f in frames]


@pytest.mark.parametrize("codec", ["mp4v", "MJPG"])
def test_same_seed_same_bytes_and_frames_another_seed_others(tmp_path, codec):
    a = W.write_video(tmp_path / "a", 20, 64, 48, codec, seed=7)
    b = W.write_video(tmp_path / "b", 20, 64, 48, codec, seed=7)
    c = W.write_video(tmp_path / "c", 20, 64, 48, codec, seed=8)
    assert a.read_bytes() == b.read_bytes()  # observed with OpenCV 5.0.0; see the docstring
    assert _digest(_frames(a)) == _digest(_frames(b))
    assert all(x != y for x, y in zip(_digest(_frames(a)), _digest(_frames(c))))


@pytest.mark.parametrize("codec, suffix", [("mp4v", ".mp4"), ("MJPG", ".avi")])
@pytest.mark.parametrize("width, height", [(320, 180), (180, 320), (240, 240)])
def test_frame_count_size_and_container(tmp_path, codec, suffix, width, height):
    path = W.write_video(tmp_path / "v.whatever", 31, width, height, codec, fps=25)
    assert path == tmp_path / f"v{suffix}"
    frames = _frames(path)
    assert len(frames) == 31
    assert {f.shape for f in frames} == {(height, width, 3)}
    assert W.decoded_frame_count(path) == W.container_frame_count(path) == 31
    capture = cv2.VideoCapture(str(path))
    assert capture.get(cv2.CAP_PROP_FPS) == 25
    capture.release()


@pytest.mark.parametrize("codec", ["mp4v", "MJPG"])
def test_frames_differ_and_stay_close_to_the_generated_pixels(tmp_path, codec):
    frames = _frames(W.write_video(tmp_path / "v", 30, 96, 64, codec, seed=3))
    assert len(set(_digest(frames))) == 30
    for i in (0, 17, 29):
        error = np.abs(frames[i].astype(np.int16) - W.frame_pixels(i, 96, 64, seed=3)).mean()
        assert error < 8  # lossy codecs: ~4-4.5 observed


def test_generated_frames_move_and_depend_only_on_index():
    frames = [W.frame_pixels(i, 96, 64) for i in range(10)]
    assert len(set(_digest(frames))) == 10
    # Without noise (>> 4 drops it) the moving square still changes the picture.
    assert len({hashlib.sha256((f >> 4).tobytes()).hexdigest() for f in frames}) > 5
    assert np.array_equal(frames[3], W.frame_pixels(3, 96, 64))
    assert frames[0].dtype == np.uint8 and frames[0].shape == (64, 96, 3)


def test_a_shorter_video_is_a_prefix_of_a_longer_one(tmp_path):
    short = _frames(W.write_video(tmp_path / "s", 5, 64, 64, "MJPG"))
    long = _frames(W.write_video(tmp_path / "l", 12, 64, 64, "MJPG"))
    assert _digest(short) == _digest(long[:5])  # MJPG codes each frame alone


def test_refuses_unverified_codecs_odd_sizes_and_no_frames(tmp_path):
    with pytest.raises(ValueError, match="XVID"):
        W.write_video(tmp_path / "x", 3, 64, 64, codec="XVID")
    with pytest.raises(ValueError, match="even"):
        W.write_video(tmp_path / "x", 3, 65, 64)
    with pytest.raises(ValueError, match="frames"):
        W.write_video(tmp_path / "x", 0, 64, 64)


def test_video_specs_names_and_shapes(tmp_path):
    names = [s.name for s in W.VIDEO_SPECS]
    assert len(set(names)) == len(names) == 12
    assert "landscape_320x180_30f_mp4v" in names and "portrait_180x320_300f_MJPG" in names
    assert {(s.width, s.height) for s in W.VIDEO_SPECS} == {(320, 180), (180, 320), (240, 240)}
    assert {s.frames for s in W.LONG_VIDEO_SPECS} == {30, 300, 3000}
    small = [s for s in W.VIDEO_SPECS if s.frames == 30]
    paths = W.write_videos(tmp_path, small)
    assert list(paths) == [s.name for s in small]
    for spec in small:
        frames = _frames(paths[spec.name])
        assert len(frames) == 30 and frames[0].shape == (spec.height, spec.width, 3)
        assert paths[spec.name].suffix == W.CODEC_EXTENSIONS[spec.codec]


# --- Bad files ---------------------------------------------------------------

ALL_KINDS = W.BAD_VIDEO_KINDS + W.EXTRA_BAD_VIDEO_KINDS


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_bad_files_behave_as_documented(tmp_path, kind):
    path = W.write_bad_videos(tmp_path, kinds=(kind,))[kind]
    expected = W.BAD_VIDEO_BEHAVIOUR[kind]
    capture = cv2.VideoCapture(str(path))  # never raises
    assert capture.isOpened() is expected["opened"]
    capture.release()
    assert W.container_frame_count(path) == expected["container_frames"]
    assert W.decoded_frame_count(path) == len(_frames(path)) == expected["decoded_frames"]


def test_truncated_avi_container_count_disagrees_with_decode(tmp_path):
    path = W.write_bad_videos(tmp_path, kinds=("truncated",))["truncated"]
    assert W.container_frame_count(path) == 300 and W.decoded_frame_count(path) == 150


def test_bad_files_are_what_they_say(tmp_path):
    (tmp_path / "bad_missing.mp4").write_bytes(b"left over")
    paths = W.write_bad_videos(tmp_path)
    assert list(paths) == list(W.BAD_VIDEO_KINDS)
    assert paths["empty"].stat().st_size == 0
    assert not paths["missing"].exists()
    assert paths["not_a_video"].read_bytes().startswith(b"<!DOCTYPE html>")
    assert paths["not_a_video"].suffix == ".mp4"
    assert paths["truncated"].read_bytes()[:4] == b"RIFF"
    again = W.write_bad_videos(tmp_path / "again", kinds=("truncated",))["truncated"]
    assert again.read_bytes() == paths["truncated"].read_bytes()
    with pytest.raises(ValueError):
        W.write_bad_videos(tmp_path, kinds=("corrupt",))


def test_index_records_are_seeded_and_give_the_collector_two_containers_each():
    import gc

    records = W.video_index_records(1_000)
    assert records == W.video_index_records(1_000)
    assert records != W.video_index_records(1_000, seed=1)
    assert len(records) == 1_000 and {r["label"] for r in records} == {0, 1}
    tracked = [r for r in records[:10] for r in (r, r["tags"], r["meta"]) if gc.is_tracked(r)]
    assert len(tracked) == 20   # CPython leaves a dict of plain numbers untracked


def test_training_clips_come_in_three_aspect_ratios_half_of_them_inverted(tmp_path):
    clips = W.aspect_ratio_clips(tmp_path, clips_per_shape=4, frames=4, downscale=4)
    assert {shape: c.shape for shape, (c, _) in clips.items()} == {
        "landscape": (4, 4, 45, 80, 3), "portrait": (4, 4, 80, 45, 3), "square": (4, 4, 60, 60, 3)}
    for shape, (c, labels) in clips.items():
        assert labels.tolist() == [0.0, 1.0, 0.0, 1.0]
        # An inverted clip's mean is 255 minus a plain one's, give or take the motion.
        assert abs(c[labels == 1].mean() - (255 - c[labels == 0].mean())) < 20
    again = W.aspect_ratio_clips(tmp_path / "again")
    assert all((again[s][0] == clips[s][0]).all() for s in clips)


def test_h264_videos_decode_to_their_seeded_frames(tmp_path):
    pytest.importorskip("av")
    from optbench.components.video import decoding

    path = W.write_h264_video(tmp_path / "clip", 12, 32, 18)
    assert path.suffix == ".mp4" and decoding.stream_info(path)["frames"] == 12
    for index, rgb in decoding.frames(path):
        written = W.frame_pixels(index, 32, 18)[:, :, ::-1]
        assert np.abs(rgb.astype(int) - written).mean() < 8   # lossy, close
    with pytest.raises(ValueError, match="even"):
        W.write_h264_video(tmp_path / "odd", 3, 31, 18)
    assert W.encode_h264(tmp_path / "none.mp4", iter(())) == 0
    assert not (tmp_path / "none.mp4").exists()
