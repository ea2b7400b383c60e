import Foundation
import OctopostKit
import Testing

/// The hold that keeps a signal's exit out of a working-tree or branch update (SyncCommand's SignalTrap
/// asks for its exit with `whenIdle`; the engine runs its updates in `during`).
@Suite struct UpdateHoldTests {
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func add(_ s: String) { lock.withLock { items.append(s) } }
        var all: [String] { lock.withLock { items } }
    }

    struct Failure: Error {}

    @Test func anExitAskedForWhileIdleRunsAtOnce() {
        let hold = UpdateHold(), log = Log()
        hold.whenIdle { log.add("exit") }
        #expect(log.all == ["exit"])
        #expect(!hold.isHeld)
    }

    @Test func anExitAskedForDuringAnUpdateRunsAsTheOutermostOneEnds() {
        let hold = UpdateHold(), log = Log()
        hold.during {
            log.add("checkout")
            hold.during { log.add("index") }
            hold.whenIdle { log.add("exit") }
            hold.whenIdle { log.add("second exit") }  // the first one stands
            #expect(hold.isHeld)
            log.add("branch moved")
        }
        log.add("after")
        #expect(log.all == ["checkout", "index", "branch moved", "exit", "after"])
    }

    @Test func anUpdateThatThrowsStillEndsTheHold() {
        let hold = UpdateHold(), log = Log()
        #expect(throws: Failure.self) {
            try hold.during { () throws(Failure) in
                hold.whenIdle { log.add("exit") }
                throw Failure()
            }
        }
        #expect(log.all == ["exit"])
        #expect(!hold.isHeld)
    }

    /// The signal arrives on another thread (Dispatch's signal source) while the run's thread is mid-update.
    @Test func aSignalFromAnotherThreadWaitsForTheUpdateOnThisOne() async {
        let hold = UpdateHold(), log = Log()
        let inside = DispatchSemaphore(value: 0), signalled = DispatchSemaphore(value: 0)
        let updater = Thread {
            hold.during {
                log.add("update begins")
                inside.signal()
                signalled.wait()
                Thread.sleep(forTimeInterval: 0.05)
                log.add("update ends")
            }
            log.add("run goes on")
        }
        updater.start()
        inside.wait()
        hold.whenIdle { log.add("exit") }
        log.add("signal handled")
        signalled.signal()
        while !log.all.contains("run goes on") { try? await Task.sleep(nanoseconds: 1_000_000) }
        #expect(log.all == ["update begins", "signal handled", "update ends", "exit", "run goes on"])
    }

    /// The exit runs with the hold taken: no update starts in the middle of it (an `exit` never lands inside one).
    @Test func noUpdateStartsWhileTheExitRuns() async {
        let hold = UpdateHold(), log = Log()
        let exiting = DispatchSemaphore(value: 0)
        let handler = Thread {
            hold.whenIdle {
                log.add("exit begins")
                exiting.signal()
                Thread.sleep(forTimeInterval: 0.1)
                log.add("exit ends")
            }
        }
        handler.start()
        exiting.wait()
        hold.during { log.add("update") }
        #expect(log.all == ["exit begins", "exit ends", "update"])
    }
}
