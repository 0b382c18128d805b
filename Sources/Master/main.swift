#if canImport(Glibc)
import Glibc
#endif

exit(MasterMain.run(Array(CommandLine.arguments.dropFirst())))
