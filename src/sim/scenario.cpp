#include "sim/scenario.hpp"
