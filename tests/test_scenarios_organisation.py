"""labsim/scenarios/organisation.py: one builder serves the paper's cast and the auditor's site."""

from labsim.scenarios.cast import corp_world
from labsim.scenarios.organisation import build_organisation, cast_parameters


def shape(world, ca, zones):
    nets = {name: (net.label, tuple(map(str, net.prefixes)), tuple(map(str, net.public)), net.kind)
            for name, net in world.networks.items()}
    hosts = {name: (h.role, h.fqdn, tuple(map(str, h.addresses)), h.network) for name, h in world.hosts.items()}
    records = {str(z.origin): (z.signed, dict(z.records)) for z in zones}
    return nets, hosts, ca.name, records


def test_the_builder_with_the_casts_parameters_builds_the_casts_world():
    corp = corp_world(3, "t")
    org = build_organisation(3, "t", **cast_parameters())
    assert shape(corp.world, corp.ca, [corp.zone, corp.reverse]) == shape(org.world, org.ca, org.zones + org.reverse)
    signed = corp_world(3, "t", signed=True)
    org_signed = build_organisation(3, "t", **cast_parameters(signed=True))
    assert shape(signed.world, signed.ca, [signed.zone, signed.reverse]) == \
        shape(org_signed.world, org_signed.ca, org_signed.zones + org_signed.reverse)


def test_the_audit_site_is_built_by_the_same_builder():
    from labsim.audit import audit_text
    from labsim.audit.site import Site
    report = audit_text("protect remote 10.1.0.0/16\nbypass any", "spd", run=False)
    site = Site(report.context, "t")
    assert [str(p) for p in site.world.networks["intranet"].prefixes][0] == "10.1.0.0/16"
    assert site.ns.fqdn == "ns.example.org" and site.ca.name == "Example Corp CA"
