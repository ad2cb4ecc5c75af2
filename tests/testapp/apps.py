from bridgework.core import modules


class TestAppConfig(modules.ModuleConfig):
    name = "tests.testapp"
    label = "testapp"
