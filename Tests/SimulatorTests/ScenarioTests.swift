import Testing
@testable import Simulator

@Suite struct ScenarioTests {
    @Test func defaultScenarioLoads() throws {
        let s = try Scenario.builtInDefault()
        #expect(s.regions.count == 4)
    }
}
