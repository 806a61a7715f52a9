/// One argument in COMMAND DOCS form (what redis-cli and skipkv-cli build their hints from).
struct ArgumentDoc: Sendable {
    let name: String
    /// `key`, `string`, `integer`, `pattern`, `pure-token`, `oneof` or `block`.
    let type: String
    var token: String? = nil
    var optional = false
    var multiple = false
    var children: [ArgumentDoc] = []

    static func key(_ name: String = "key") -> ArgumentDoc { ArgumentDoc(name: name, type: "key") }
    static func string(_ name: String) -> ArgumentDoc { ArgumentDoc(name: name, type: "string") }
    static func integer(_ name: String) -> ArgumentDoc { ArgumentDoc(name: name, type: "integer") }
    static func pattern(_ name: String = "pattern") -> ArgumentDoc { ArgumentDoc(name: name, type: "pattern") }
    static func flag(_ token: String) -> ArgumentDoc { ArgumentDoc(name: token.lowercased(), type: "pure-token", token: token) }
    static func oneOf(_ name: String, _ children: [ArgumentDoc]) -> ArgumentDoc { ArgumentDoc(name: name, type: "oneof", children: children) }
    static func tokenBlock(_ token: String, _ children: [ArgumentDoc]) -> ArgumentDoc {
        ArgumentDoc(name: token.lowercased(), type: "block", token: token, children: children)
    }
    static func tokenValue(_ token: String, _ value: ArgumentDoc) -> ArgumentDoc {
        var argument = value
        argument.token = token
        return argument
    }

    var isOptional: ArgumentDoc {
        var copy = self
        copy.optional = true
        return copy
    }

    var isMultiple: ArgumentDoc {
        var copy = self
        copy.multiple = true
        return copy
    }
}
