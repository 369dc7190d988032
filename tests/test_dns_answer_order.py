"""labsim/dns.py: an answer with several records is the same bytes in every process."""

import subprocess
import sys


def test_multi_record_answers_are_not_shuffled():
    """dnspython would shuffle an RRset with its unseeded RNG; labsim's answers keep zone order."""
    code = ("import dns.message\nfrom labsim.dns import Zone, make_answer, make_query\n"
            "z = Zone('example.org')\n"
            "for a in ('1.2.3.4', '1.2.0.7', '1.2.9.9', '1.2.8.8'): z.add('pc-c.example.org', 'A', a)\n"
            "q = dns.message.from_wire(make_query('pc-c.example.org', 'A', 7))\n"
            "print(make_answer(q, z.lookup('pc-c.example.org', 'A')[0]).hex())\n")
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
               for _ in range(4)}
    assert len(outputs) == 1
