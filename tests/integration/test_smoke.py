from partybuilding.organization.v1 import organization_service_pb2 as pb


def test_build_a_small_tree(platform):
    code = platform.new_county()
    admin = platform.as_("county_admin", [code])
    s = platform.stub
    town = s.CreateUnit(pb.CreateUnitRequest(parent=f"tenants/{code}", unit=pb.Unit(type=pb.TOWNSHIP, display_name="彭镇")), metadata=admin)
    station = s.CreateUnit(pb.CreateUnitRequest(parent=f"tenants/{code}", unit=pb.Unit(type=pb.WORK_STATION, display_name="第一工作站", parent=town.name)), metadata=admin)
    village = s.CreateUnit(pb.CreateUnitRequest(parent=f"tenants/{code}", unit=pb.Unit(type=pb.VILLAGE, display_name="雷塬村", parent=station.name)), metadata=admin)
    path = s.GetUnitPath(pb.GetUnitPathRequest(name=village.name), metadata=admin)
    assert [u.display_name for u in path.units] == ["彭镇", "第一工作站", "雷塬村"]
