import Hummingbird
import InfoplaneAPI

// The API's bodies are Hummingbird responses, written with the context's encoder
// (`APIRequestContext`: the API's JSON conventions).

extension APIRunList: ResponseEncodable {}
extension APIRunDetail: ResponseEncodable {}
extension APISeriesList: ResponseEncodable {}
extension APIScalarList: ResponseEncodable {}
extension APIInformationPlane: ResponseEncodable {}
extension APIAlertList: ResponseEncodable {}
extension APIHealth: ResponseEncodable {}
extension APIRefit: ResponseEncodable {}
extension APIErrorBody: ResponseEncodable {}
