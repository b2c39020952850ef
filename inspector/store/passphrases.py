"""Whether a passphrase is strong enough to guard a backup, and if not, why.

The rule is NIST SP 800-63B (rev. 3), section 5.1.1.2 ("Memorized Secret Verifiers"): "Memorized
secrets SHALL be at least 8 characters in length", and verifiers "SHALL compare the prospective
secrets against a list that contains values known to be commonly-used, expected, or compromised",
including "dictionary words", "repetitive or sequential characters (e.g. 'aaaaaa', '1234abcd')"
and "context-specific words, such as the name of the service". When refused, "the verifier SHALL
advise the subscriber that they need to select a different secret, SHALL provide the reason".

A backup holds names, phone and card numbers and every result, and a backup file travels (a stick,
a shared drive): its passphrase must withstand an offline search, so the common list matters more
than the length. The list below holds the passwords most often found in leaked Chinese and
international password sets (CSDN 2011, 12306 2014, RockYou), and words of this product's context.
"""

from __future__ import annotations

import itertools

from inspector.i18n import _

MIN_LENGTH = 8  # NIST SP 800-63B 5.1.1.2: "at least 8 characters in length"

_COMMON_TEXT = """
    123456 1234567 12345678 123456789 1234567890 0123456789 12345678910 123123 123123123 123321
    111111 11111111 111111111 000000 00000000 666666 66666666 888888 88888888 999999 99999999
    112233 11223344 121212 12121212 123654 147258 147258369 159357 159753 963852741 987654321
    5201314 520520 52013141314 1314520 woaini woaini1314 woaini520 iloveyou iloveyou1 woaiwojia
    password password1 password123 passw0rd p@ssw0rd p@ssword admin admin123 admin888 administrator
    qwerty qwerty123 qwertyuiop qwer1234 asdfgh asdfghjkl asdf1234 zxcvbnm zxcvbnm123 1qaz2wsx
    1q2w3e4r 1q2w3e4r5t qazwsx qazwsxedc abc123 abc123456 abcd1234 a123456 a12345678 aa123456
    a1b2c3d4 a1234567 aaaaaa aaaaaaaa abcdef abcdefg abcdefgh 123qwe 123abc 123456a 123456abc
    dearbook letmein welcome welcome1 monkey dragon master sunshine princess football baseball
    shadow superman trustno1 1qazxsw2 zaq12wsx q1w2e3r4 q1w2e3r4t5 computer internet changeme
    secret backup backup123 inspector inspector123 supervisor jianding jiandingsuo duda dudaoyuan
    zhongxin sichuan chengdu beijing shanghai china123 zhangsan lisi wangwu
"""
_COMMON = frozenset(_COMMON_TEXT.split())


def passphrase_problem(passphrase: str) -> str | None:
    """Why ``passphrase`` may not guard a backup (one sentence for the user), or None."""
    if len(passphrase) < MIN_LENGTH:
        return _("口令太短：至少需要 {n} 个字符").format(n=MIN_LENGTH)
    folded = passphrase.strip().lower()
    if folded in _COMMON:
        return _("口令过于常见（在常用密码表中），很容易被猜到：请换一个")
    if len(set(folded)) <= 2:
        return _("口令由重复的字符组成，很容易被猜到：请换一个")
    if _sequential(folded):
        return _("口令是连续的字符（如 12345678、abcdefgh），很容易被猜到：请换一个")
    return None


def _sequential(text: str) -> bool:
    """Every step the same +1 or -1 (1234..., abcd..., 9876...)."""
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(text)}
    return steps in ({1}, {-1})
