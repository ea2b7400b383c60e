import OctopostCLI

await OctopostEntry.run()
