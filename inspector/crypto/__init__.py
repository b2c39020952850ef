"""Keys, identities and signatures: the centre's CA, people's credentials, PDF signing, sealing."""

import warnings

# pyHanko imports DSA types at import time; cryptography 51 deprecates DSA and warns on that import.
# We never make or accept DSA keys (pdfsign refuses them), and a warning on a user's terminal is
# noise that looks like a failure, so this one warning is silenced where the package is entered.
warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"pyhanko\..*")
