from django_scopes import scopes_disabled

from members.tests.factories import MembershipFactory, RoleAssignmentFactory


def test_a_factory_tree_has_one_tenant(db):
    membership = MembershipFactory()
    with scopes_disabled():
        tenants = {
            membership.tenant_id, membership.person.tenant_id, membership.person.school_class.tenant_id,
            membership.department.tenant_id, membership.position.tenant_id, membership.term.tenant_id,
        }
        assert len(tenants) == 1
        assert membership.department.organisation_id == membership.organisation_id
    role = RoleAssignmentFactory()
    assert role.user.tenant_id == role.tenant_id == role.user.person.tenant_id
