import InfoplaneServer
print("infoplaned \(InfoplaneServerVersion.string)")
