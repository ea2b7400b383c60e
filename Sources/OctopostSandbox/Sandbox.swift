import FlyingFox
import OctopostKit
