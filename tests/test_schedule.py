import pytest

from maskaae.train import default_reg_interval, lambda3_at


def test_paper_schedule_doubles_every_interval():
    init, k = 0.25, 10
    assert lambda3_at(1, init, "paper", k, 2048.0) == init
    assert lambda3_at(k - 1, init, "paper", k, 2048.0) == init
    assert lambda3_at(k, init, "paper", k, 2048.0) == 2 * init
    assert lambda3_at(2 * k - 1, init, "paper", k, 2048.0) == 2 * init
    assert lambda3_at(2 * k, init, "paper", k, 2048.0) == 4 * init
    assert lambda3_at(5 * k + 3, init, "paper", k, 2048.0) == 32 * init


def test_paper_schedule_is_not_capped():
    assert lambda3_at(20, 1.0, "paper", 1, 8.0) == 2.0 ** 20


def test_code_schedule_doubles_every_four_intervals_and_is_capped():
    init, k, cap = 0.5, 10, 4.0
    assert lambda3_at(k, init, "code", k, cap) == init
    assert lambda3_at(4 * k - 1, init, "code", k, cap) == init
    assert lambda3_at(4 * k, init, "code", k, cap) == 2 * init
    assert lambda3_at(8 * k, init, "code", k, cap) == 4 * init  # == cap
    assert lambda3_at(12 * k, init, "code", k, cap) == cap
    assert lambda3_at(400 * k, init, "code", k, cap) == cap
    # huge step counts do not overflow
    assert lambda3_at(10 ** 9, init, "code", 1, cap) == cap


def test_unknown_schedule():
    with pytest.raises(ValueError):
        lambda3_at(1, 1.0, "cosine", 10, 1.0)


def test_default_reg_interval():
    assert default_reg_interval(1) == 75
    assert default_reg_interval(20) == 75
    assert default_reg_interval(21) == 2362  # floor(1125 * 21 / 10)
    assert default_reg_interval(32) == 3600
    assert default_reg_interval(100) == 10000
    assert default_reg_interval(500) == 10000
