"""labsim/verdict.py: verdicts read from the wire and the receiver, one per flow, problems from mechanisms."""

import json

import pytest

from labsim import run
from labsim.apps import ClientApp, ServerApp
from labsim.cli import main
from labsim.host import Host
from labsim.packets import Packet
from labsim.result import play
from labsim.scenarios import get


def _leaky_esp(monkeypatch, leaker: str):
    """Break ESP on one host: its 'protected' packets leave as the plain inner packet."""
    original = Host._send_esp

    def send_plain(self, pkt, facts, sa, origin=None):
        if self.name != leaker:
            return original(self, pkt, facts, sa, origin)
        self._send(Packet(pkt, origin or self.name, dict(facts)))
    monkeypatch.setattr(Host, "_send_esp", send_plain)


def test_a_vpn_that_leaks_its_payload_is_never_judged_protected(monkeypatch):
    """fig3 dns_server=home with a VPN client that sends plain packets: the data crosses the hotel in clear."""
    assert run("fig3", dns_server="home").outcome == "protected"
    _leaky_esp(monkeypatch, "laptop")
    result = run("fig3", dns_server="home")
    assert "'GET /salaries.xlsx'  send  via laptop > visited" in result.trace_text()
    assert result.outcome != "protected" and result.data_in_clear is True, result.text()
    assert (result.outcome, result.attack_succeeded) == ("exposed", True)
    assert "tunnel" not in result.explanation
    assert "believed it was sending through an SA with vpn.example.org" in result.explanation


def test_a_leaking_tunnel_is_never_explained_as_the_vpn_tunnel(monkeypatch):
    """fig4 split_exclude=off with a broken VPN client: the clear print job is not said to go through the tunnel."""
    _leaky_esp(monkeypatch, "laptop")
    result = run("fig4", split_exclude="off")
    assert result.outcome != "protected" and result.data_in_clear is True, result.text()
    assert "through the VPN tunnel" not in result.explanation
    assert "in clear" in result.explanation


def test_a_transport_sa_that_leaks_is_never_judged_protected(monkeypatch):
    """basics with host-a's ESP broken: server-b's PROTECT rule discards the clear packets; nothing is protected."""
    _leaky_esp(monkeypatch, "host-a")
    result = run("basics")
    assert result.outcome == "blocked", result.text()
    assert "a clear packet matches a PROTECT rule" in result.explanation


def test_esp_with_null_encryption_is_judged_from_the_wire_not_from_the_stack():
    """fig3 dns_server=home vpn_encryption=null: a real, reachable run where the stack and the wire disagree. The
    laptop's stack sent through an SA (its "sent" record says protected), the gateway decrypted the data from the
    tunnel, server-b got it; but the bytes that crossed the hotel network contain the request. Exposed."""
    result = run("fig3", dns_server="home", vpn_encryption="null")
    sent = [e for e in result.world.ledger if e["fact"] == "sent"][-1]
    crossed = [e for e in result.world.ledger if e["fact"] == "crossed"]
    assert sent["protected"] is True and {c["network"] for c in crossed} == {"visited", "internet"}
    assert (result.outcome, result.attack_succeeded, result.problem, result.data_in_clear) == \
        ("exposed", True, None, True), result.text()
    assert "where hotspot can read it" in result.explanation and "tunnel" not in result.explanation


def test_the_client_belief_mutant_gets_esp_null_wrong(monkeypatch):
    """The mutant 'client belief as verdict' (tools/mutate.py) reads protection from sent.protected: it calls the
    ESP-NULL run protected, which is why that run makes the mutant visible to students."""
    from mutants import apply_in_process

    toggles = {"dns_server": "home", "vpn_encryption": "null"}
    assert run("fig3", toggles).outcome == "exposed"
    apply_in_process("client belief as verdict", monkeypatch)
    result = run("fig3", toggles)
    assert (result.outcome, result.attack_succeeded, result.data_in_clear) == ("protected", False, False)
    assert run("fig3", {"dns_server": "home"}).outcome == "protected"   # with AES-GCM the mutant cannot be told apart


def test_the_tunnel_counts_as_protection_only_when_a_gateway_decrypted_it():
    """fig3 dns_server=home: the gateway vpn decrypted the data from the tunnel and the server got it inside."""
    data = run("fig3", dns_server="home").to_json()
    assert (data["outcome"], data["authenticated_as"], data["data_in_clear"]) == \
        ("protected", "vpn.example.org", False)
    assert "through the tunnel to the gateway 1.2.0.1" in data["explanation"]


def test_altered_data_is_exposed_not_clear():
    """basics policy=bypass tamper=on: server-b accepts data host-a never sent."""
    result = run("basics", policy="bypass", tamper="on")
    assert (result.outcome, result.attack_succeeded) == ("exposed", True)
    assert "altered on the way" in result.explanation


# ---------------------------------------------------------------- several verdicts per run

def test_each_declared_flow_that_happened_gets_a_verdict_and_the_first_is_primary():
    """fig2 insider=inner_source: host-a's request (primary) and pc-c's attack, each judged on its own."""
    result = run("fig2", insider="inner_source")
    assert list(result.verdicts) == ["main", "attack"]
    assert result.verdict is result.verdicts["main"] and result.outcome == "protected"
    attack = result.verdicts["attack"]
    assert (attack.outcome, attack.attack_succeeded, attack.flow) == ("blocked", False, "attack")
    assert attack.label == "pc-c's connection to host-a's file sharing in server-b's name"


def test_a_declared_flow_that_left_no_trace_is_not_judged():
    """fig2 insider=arp stages no attack flow: only the primary verdict."""
    assert list(run("fig2").verdicts) == ["main"]


def test_banner_has_one_line_per_flow_when_there_are_several():
    result = run("fig2", insider="inner_source")
    assert result.banner().splitlines() == [
        "host-a's request to server-b: PROTECTED",
        "pc-c's connection to host-a's file sharing in server-b's name: BLOCKED"]
    assert run("fig1").banner().count("\n") == 0


def test_json_keeps_the_primary_keys_and_lists_every_flow(capsys):
    """--json: the primary verdict's keys as before, plus "flows" with one object per flow, primary first."""
    assert main(["run", "fig2", "--set", "insider=inner_source", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outcome"] == "protected" and data["problem"] is None
    assert [f["flow"] for f in data["flows"]] == ["main", "attack"]
    assert set(data["flows"][1]) == {"flow", "label", "outcome", "attack_succeeded", "problem", "intended_peer",
                                     "reached_peer", "authenticated_as", "data_in_clear", "explanation"}
    assert data["flows"][0]["outcome"] == data["outcome"]


# ---------------------------------------------------------------- an attacker's flow (fig5)

def _fig5(toggles=None, extra=None):
    spec = get("fig5")
    values = spec.resolve_toggles(toggles or {})
    world = spec.build(values)
    if extra:
        extra(world)
    return play(world, "fig5", values, flows=(("attack", "the attack"), ("print_job", "the print job")))


def test_an_attack_the_victim_delivered_is_exposed_with_problem_5a_from_the_trigger():
    """The soft SA was opened by host-a's answer to the attacker's own broadcast: problem 5a."""
    result = _fig5()
    attack = result.verdicts["attack"]
    assert (attack.outcome, attack.attack_succeeded, attack.problem) == ("exposed", True, "5a")
    assert "opened by the host's NetBIOS answer to a broadcast query from 1.2.0.66" in attack.explanation
    assert "the packet that opened it is our NetBIOS answer to a broadcast query from 1.2.0.66" in result.trace_text()
    assert result.verdicts["print_job"].outcome == "clear"


def test_an_attack_stopped_by_the_policy_is_blocked_with_the_rule_that_stopped_it():
    attack = _fig5({"broadcast": "discard"}).verdicts["attack"]
    assert (attack.outcome, attack.attack_succeeded, attack.problem) == ("blocked", False, None)
    assert "a clear packet matches a PROTECT rule" in attack.explanation
    assert "[SPD rule 3: protect remote 1.2.0.0/16 fallback]" in attack.explanation


def test_a_soft_sa_opened_by_the_hosts_own_print_job_then_hijacked_is_not_problem_5a():
    """fig5 attacker_via=printer_address: a soft SA admits the attacker, as in problem 5a, but host-a opened it with
    its own print job to the printer, and the attacker then took over 1.2.0.80 (section 5.4's address hijack). No
    answer to the attacker's broadcast opened it, so the verdict names no problem; the default run, where one did,
    stays 5a. Reading 5a from the admission alone would name 5a for both."""
    result = run("fig5", attacker_via="printer_address")
    attack = result.verdicts["attack"]
    assert (attack.outcome, attack.attack_succeeded, attack.problem) == ("exposed", True, None), result.text()
    assert "host-a had opened that soft SA itself, when its packet TCP 1.2.0.5:" in attack.explanation
    assert "[SYN] to printer got no IKE answer and fell back to clear" in attack.explanation
    assert "attacker had taken over 1.2.0.80, printer's address, and spoke from it" in attack.explanation
    assert "(section 5.4), here a soft SA of the stateful extension (section 7)" in attack.explanation
    assert result.verdicts["print_job"].outcome == "clear"
    # the facts behind it, each written when it happened: the soft SA by host-a's stack, the takeover by the LAN
    soft = next(e for e in result.world.ledger if e["fact"] == "soft_sa" and e["peer"] == "1.2.0.80")
    hijack = next(e for e in result.world.ledger if e["fact"] == "hijack")
    assert (soft["host"], soft["holder"], soft["trigger"]) == ("host-a", "printer", None)
    assert (hijack["host"], hijack["address"], hijack["previous"]) == ("attacker", "1.2.0.80", "printer")
    assert soft["time_us"] < hijack["time_us"]
    default = run("fig5").verdicts["attack"]
    assert (default.outcome, default.problem) == ("exposed", "5a")


def test_problem_5a_read_from_the_admission_alone_misnames_the_printer_address_hijack(monkeypatch):
    """The mutant '5a attribution from admission' (tools/mutate.py) is visible to students: it calls the hijack 5a."""
    from mutants import apply_in_process

    apply_in_process("5a attribution from admission", monkeypatch)
    assert run("fig5", attacker_via="printer_address").verdicts["attack"].problem == "5a"


def test_an_address_hijack_through_a_bypass_rule_is_named_without_a_problem_number():
    """Section 5.4's own case: host-a exempts the printer's address with a BYPASS rule; the attacker takes the
    address over and is let in by that rule. The explanation names the takeover; the paper numbers no problem."""
    spd = "bypass remote 1.2.0.80\nprotect remote 1.2.0.0/16\nbypass any\n"
    result = run("fig5", attacker_via="printer_address", spd={"host-a": spd})
    attack = result.verdicts["attack"]
    assert (attack.outcome, attack.attack_succeeded, attack.problem) == ("exposed", True, None), result.text()
    assert ("a BYPASS rule let it in; attacker had taken over 1.2.0.80, printer's address, and spoke from it: "
            "whoever takes over an address gets what host-a's policy grants it (section 5.4), here a BYPASS rule"
            ) in attack.explanation


def test_who_held_an_address_is_read_from_when_the_packet_was_dropped():
    """fig5 attacker_via=printer_address stateful=off: host-a's print job was dropped while the printer held
    1.2.0.80; the attacker took the address over later, and the print job's explanation still names the printer."""
    job = run("fig5", attacker_via="printer_address", stateful="off").verdicts["print_job"]
    assert job.outcome == "blocked"
    assert "and printer, which holds that address where the client stands, speaks no IPsec" in job.explanation


def test_a_soft_sa_not_opened_by_an_answer_to_the_attacker_is_not_problem_5a():
    """host-a itself contacts the attacker first (no broadcast answered): the soft SA admits it, but not 5a."""
    def lure(world):
        host_a = world.host("host-a")
        host_a.resolver.hosts_file["files.example.org"] = "1.2.0.66"
        ClientApp(host_a, "files.example.org", 80, start_us=500, flow="lure")
    result = _fig5({"broadcast": "discard"}, lure)
    attack = result.verdicts["attack"]
    assert (attack.outcome, attack.attack_succeeded, attack.problem) == ("exposed", True, None), result.text()
    assert "soft SA with 1.2.0.66  open  clear packets from 1.2.0.66 will now be admitted: it did not answer IKE " \
           "and we fell back to clear  [stateful extension]" in result.trace_text()


def test_an_undeclared_attack_flow_still_counts_against_the_primary_flow():
    """A scenario that declares only its main flow still reports the attacker who got in."""
    assert (run("fig5").outcome, run("fig5").problem) == ("exposed", "5a")


# ---------------------------------------------------------------- problem 4 from the mechanism

HOTEL_PRINTER = "192.168.0.20"


def _hotel_printer(world):
    """fig4's own hotel printer and print job (model-scen's fig4 has them); added here only if missing."""
    if "hotel-printer" in world.hosts:
        return
    laptop = world.host("laptop")
    printer = world.add_host(Host("hotel-printer", "printer", fqdn="printer.hotel.example.net"), "visited",
                             [HOTEL_PRINTER])
    ServerApp(printer, 9100, b"printed", label="the hotel's printer")
    laptop.resolver.hosts_file["printer.hotel.example.net"] = HOTEL_PRINTER
    ClientApp(laptop, "printer.hotel.example.net", 9100, payload=b"%!PS boarding pass", start_us=3_500_000,
              flow="hotel_printer")


def _fig4(toggles, spd=None):
    spec = get("fig4")
    values = spec.resolve_toggles(toggles)
    world = spec.build(values)
    _hotel_printer(world)
    if spd:
        from labsim.ipsec.spd import parse_spd
        world.host("laptop").spd = parse_spd(spd)
    result = play(world, "fig4", values, flows=(("main", "the print job"), ("hotel_printer", "the hotel printer")))
    return result.verdicts["hotel_printer"], result


def test_problem_4_when_a_protect_rule_for_a_private_range_cuts_off_a_host_of_the_visited_network():
    verdict, result = _fig4({"private_policy": "protect"})
    assert (verdict.outcome, verdict.problem, verdict.attack_succeeded) == ("blocked", "4", False), result.text()
    assert "192.168.0.20 did not complete IKE within 3 s" in verdict.explanation


def test_the_hotel_printer_in_clear_is_clear_not_problem_4():
    verdict, result = _fig4({"private_policy": "bypass"})
    assert (verdict.outcome, verdict.problem) == ("clear", None), result.text()


@pytest.mark.parametrize("rule", ["discard remote 192.168.0.0/16", "discard any"])
def test_a_discard_rule_is_not_problem_4(rule):
    """The same host cut off by a DISCARD rule: blocked, but no PROTECT rule did it."""
    spd = f"bypass proto udp lport 68\nprotect remote 1.2.0.0/16 tunnel 1.2.0.1\n{rule}\nbypass any\n"
    verdict, result = _fig4({}, spd)
    assert (verdict.outcome, verdict.problem) == ("blocked", None), result.text()
    assert f"matches SPD rule 3: {rule}" in verdict.explanation


def test_the_office_printer_out_of_reach_is_not_problem_4():
    """The print job to printer-b blocked at the hotel: 192.168.0.10 is the attacker's machine there, and
    being cut off from an attacker is no cost."""
    verdict, result = _fig4({"private_policy": "protect"})
    assert (result.verdict.outcome, result.verdict.problem) == ("blocked", None)


def test_at_home_a_protect_rule_for_a_private_range_is_not_problem_4():
    """location=home: printer-b speaks no IPsec, the job is blocked, but the laptop is not visiting anyone."""
    result = run("fig4", location="home", private_policy="protect")
    assert (result.outcome, result.problem) == ("blocked", None)


def test_a_soft_sa_opened_by_an_answer_to_the_attackers_multicast_is_problem_5a():
    """IPv6: host-a's LLMNR answer to the attacker's multicast query opened the soft SA."""
    attack = _fig5({"attacker_via": "ipv6"}).verdicts["attack"]
    assert (attack.outcome, attack.problem) == ("exposed", "5a")
    assert "LLMNR answer to a multicast query from 2001:db8:12::66" in attack.explanation


def _across_the_internet(tapped: bool):
    from labsim.dns import Resolver
    from labsim.net import World
    world = World(seed=1)
    world.add_network("intranet", "the intranet", ["1.2.0.0/16"], public=["1.2.0.0/16"])
    world.add_network("internet", "the Internet", ["0.0.0.0/0"], kind="internet", trusted=False)
    world.link("intranet", "internet")
    client = world.add_host(Host("host-a"), "intranet", ["1.2.0.5"])
    web = world.add_host(Host("www", fqdn="www.example.com"), "internet", ["198.51.100.80"])
    Resolver(client, [], hosts_file={"www.example.com": "198.51.100.80"})
    ServerApp(web, 80)
    ClientApp(client, "www.example.com", 80)
    if tapped:
        spy = world.add_host(Host("spy", malicious=True), "internet", ["203.0.113.66"])
        world.add_tap("internet", lambda packet: None)
        assert spy.name not in world.eavesdroppers("intranet")
    return play(world, "hand-built")


def test_clear_data_across_an_untrusted_network_is_clear_unless_someone_reads_it_there():
    """BYPASS to a web server over the Internet: clear; the same with a tap on the Internet: exposed."""
    quiet = _across_the_internet(tapped=False)
    assert (quiet.outcome, quiet.data_in_clear, quiet.attack_succeeded) == ("clear", True, False)
    assert "crossing the Internet (no attacker there)" in quiet.explanation
    tapped = _across_the_internet(tapped=True)
    assert (tapped.outcome, tapped.data_in_clear, tapped.attack_succeeded) == ("exposed", True, True)
    assert "whoever taps the Internet can read it" in tapped.explanation
