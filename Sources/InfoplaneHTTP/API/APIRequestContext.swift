import Foundation
import Hummingbird
import InfoplaneAPI

/// The request context of the API's routes: response bodies are written with the API's
/// JSON conventions (`APIJSON.encoder()`: snake_case, sorted keys, millisecond times).
struct APIRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage

    init(source: Source) {
        coreContext = .init(source: source)
    }

    var responseEncoder: JSONEncoder { APIJSON.encoder() }
}
