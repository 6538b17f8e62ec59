from cchc.lib.codes import SPOKEN_ALPHABET, spoken_code


def test_a_spoken_code_has_no_characters_confused_over_the_phone() -> None:
    codes = {spoken_code(8) for _ in range(200)}
    assert len(codes) == 200  # 32**8 possibilities: a repeat in 200 would mean it is not random
    drawn = set("".join(codes))
    assert drawn <= set(SPOKEN_ALPHABET) and not drawn & set("01OI")
    assert all(len(code) == 8 for code in codes)
