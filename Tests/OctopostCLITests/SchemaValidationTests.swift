import Foundation
import OctopostKit
import Testing

/// The JSON Schemas in schemas/ against the example content, octopost.yaml, the ledger and the schema
/// fixtures (scripts/validate_schemas.py does the validating), and the post schema's `options` against
/// `Platform.optionSpecs`, so the schema, the README and the parser stay in step.
@Suite struct SchemaValidationTests {
    /// The package root: this file is Tests/OctopostCLITests/SchemaValidationTests.swift.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let setupHint = "run scripts/setup.sh (it installs python3's jsonschema, PyYAML and rfc3339-validator)"

    struct Run {
        var status: Int32
        var output: String
    }

    /// Runs `python3 ARGS…` through /usr/bin/env, without changing the working directory.
    static func python(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    @Test func everySchemaDocumentAndFixtureValidates() throws {
        let probe = try Self.python(["-c", "import jsonschema, yaml, rfc3339_validator"])
        guard probe.status == 0 else {
            Issue.record(Comment(rawValue: "python3 with the jsonschema, yaml and rfc3339_validator modules is needed: "
                + Self.setupHint + "\n" + probe.output))
            return
        }
        let script = Self.packageRoot.appendingPathComponent("scripts/validate_schemas.py").path
        let run = try Self.python([script, Self.packageRoot.path])
        #expect(run.status == 0, Comment(rawValue: "scripts/validate_schemas.py exited \(run.status):\n\(run.output)"
            + (run.status == 2 ? "\n" + Self.setupHint : "")))
        #expect(run.output.contains("schemas: "), Comment(rawValue: "no summary line in:\n\(run.output)"))
    }

    @Test func postSchemaOptionsMatchOptionSpecs() throws {
        let url = Self.packageRoot.appendingPathComponent("schemas/post.schema.json")
        let schema = try JSONDecoder().decode(SchemaNode.self, from: Data(contentsOf: url))
        let options = try #require(schema.properties?["options"])
        #expect(options.additionalProperties == false)
        let platforms = try #require(options.properties)
        #expect(Set(platforms.keys) == Set(Platform.allCases.map(\.rawValue)))
        for platform in Platform.allCases {
            let node = try #require(platforms[platform.rawValue], "options.\(platform.rawValue) is missing")
            #expect(node.additionalProperties == false, "options.\(platform.rawValue) must forbid other keys")
            let keys = node.properties ?? [:]
            #expect(Set(keys.keys) == Set(platform.optionSpecs.map(\.key)), "options.\(platform.rawValue) keys")
            for spec in platform.optionSpecs {
                guard let property = keys[spec.key] else { continue }
                let name = "options.\(platform.rawValue).\(spec.key)"
                #expect(property.description?.isEmpty == false, "\(name) has no description")
                switch spec.kind {
                case .string:
                    #expect(property.ref == "#/$defs/text", "\(name) is text")
                case .bool:
                    #expect(property.types == ["boolean"], "\(name) is a boolean")
                case .int(let range):
                    #expect(property.types == ["integer"], "\(name) is an integer")
                    #expect(property.minimum == range.lowerBound && property.maximum == range.upperBound,
                            "\(name) range")
                case .oneOf(let allowed):
                    #expect(property.enumValues == allowed, "\(name) enum")
                case .stringList(let maxCount):
                    #expect(property.types?.contains("array") == true && property.maxItems == maxCount,
                            "\(name) is a list of at most \(maxCount)")
                }
            }
        }
    }
}

/// The parts of a JSON Schema node the options test reads; anything else is ignored.
struct SchemaNode: Decodable {
    var types: [String]?
    var enumValues: [String]?
    var ref: String?
    var description: String?
    var minimum: Int?
    var maximum: Int?
    var maxItems: Int?
    var additionalProperties: Bool?
    var properties: [String: SchemaNode]?

    enum CodingKeys: String, CodingKey {
        case type, `enum`, ref = "$ref", description, minimum, maximum, maxItems, additionalProperties, properties
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let one = try? c.decode(String.self, forKey: .type) {
            types = [one]
        } else {
            types = try? c.decode([String].self, forKey: .type)
        }
        enumValues = try? c.decode([String].self, forKey: .enum)
        ref = try? c.decode(String.self, forKey: .ref)
        description = try? c.decode(String.self, forKey: .description)
        minimum = try? c.decode(Int.self, forKey: .minimum)
        maximum = try? c.decode(Int.self, forKey: .maximum)
        maxItems = try? c.decode(Int.self, forKey: .maxItems)
        additionalProperties = try? c.decode(Bool.self, forKey: .additionalProperties)
        properties = try? c.decode([String: SchemaNode].self, forKey: .properties)
    }
}
