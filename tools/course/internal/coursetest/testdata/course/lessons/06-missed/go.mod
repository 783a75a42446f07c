module fixture/lessons/06-missed

go 1.26.0
