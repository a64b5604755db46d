import CNcursesW
import TerminalUI
