import pytest

from cchc_analysis.errors import ConfigError
from cchc_analysis.pseudonym import Pseudonymiser, mask


def test_key_sources_in_order(tmp_path, monkeypatch):
    monkeypatch.delenv("CCHC_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("CCHC_PSEUDONYM_KEY_FILE", raising=False)
    created = Pseudonymiser.from_environment(tmp_path)  # first use: a key file is created in the data folder
    assert (tmp_path / ".cchc_pseudonym_key").is_file()
    assert Pseudonymiser.from_environment(tmp_path).key_id == created.key_id
    key_file = tmp_path / "server.key"
    key_file.write_text("a-server-key-outside-the-data-folder", encoding="ascii")
    monkeypatch.setenv("CCHC_PSEUDONYM_KEY_FILE", str(key_file))
    from_file = Pseudonymiser.from_environment(tmp_path)
    assert from_file.key_id == Pseudonymiser(b"a-server-key-outside-the-data-folder").key_id != created.key_id
    monkeypatch.setenv("CCHC_PSEUDONYM_KEY", "the-environment-wins-over-files")
    assert Pseudonymiser.from_environment(tmp_path).key_id == Pseudonymiser(b"the-environment-wins-over-files").key_id


def test_short_keys_and_missing_key_files_are_refused(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="quá ngắn"):
        Pseudonymiser(b"short")
    monkeypatch.delenv("CCHC_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("CCHC_PSEUDONYM_KEY_FILE", str(tmp_path / "none.key"))
    with pytest.raises(ConfigError, match="Không đọc được tệp khóa"):
        Pseudonymiser.from_environment(tmp_path)


def test_masking():
    assert mask("0961131987") == "09******87"
    assert mask("030123456789") == "03********89"
    assert mask("Nguyễn Văn An") == "N***"
    assert mask("") == ""
